#pragma once
// What this machine can do, measured at the start of every `mha bench` run: every performance
// claim is a ratio against these numbers, taken in the same run.
namespace mha::cli {

struct MachinePeaks {
  const char* fma_isa = "scalar";  // the widest FMA the CPU runs (avx512 zmm, avx2 ymm)
  double fp32_gflops = 0.0;        // FMA peak, fp32, all threads (2 FLOP per lane per FMA)
  double bf16_gflops = 0.0;        // vdpbf16ps peak (4 FLOP per fp32 lane), 0 without avx512_bf16
  double bandwidth_gbs = 0.0;      // STREAM-style triad a = b + s·c over 3 × 256 MiB, all threads
};

MachinePeaks measure_machine(int threads);

}  // namespace mha::cli
