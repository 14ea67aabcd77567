// The kernel lab: every version of mha's CPU attention kernel in one binary, each validated
// against the double reference before it is timed on the same problem.
//
//   build/release/bench/mha_kernel_lab [S] [D] [--causal] [--batch B] [--heads H] [--reps N]
//                                      (default S=2048, D=64, B=1, H=8, 5 timed calls, median)
//
// Versions (what changed, and what it measured: fp32, B=1 H=8 S=2048 D=64, non-causal, 2 threads,
// GFLOP/s and % of the FMA peak `mha bench` measured in the same session; see bench/RESULTS.md):
//   v1  row kernel: one query row at a time, every score of the row in a buffer, fp32 scalar
//       loops (src/attention/cpu/row_kernel.cpp). The starting point; still runs dropout.
//   v2  flash, portable: tiles of 32 query rows × 64 keys, keys packed once per (batch, KV head)
//       group, online softmax, register-blocked Q·Kᵀ and P·V microkernels on a 4-lane C++
//       "vector" (the fallback for CPUs without AVX2).
//   v3  flash, AVX2: the same template on 8-lane ymm, 4×3 microkernel tiles (16 registers).
//   v4  flash, AVX-512: 16-lane zmm, 6×4 tiles (24 accumulators of 32 registers), 48×128 blocks
//       ("row blocks"; timed here with the rows-in-lanes path of v6 turned off).
//   v5  flash, AVX-512 BF16 (bf16 inputs): vdpbf16ps on head-dim pairs (Q·Kᵀ) and key pairs
//       (P·V), probabilities rounded to bf16, cheaper exp.
//   v6  v4 with rows in lanes (src/attention/cpu/flash_lanes.inc; fp32 without masks,
//       D % 16 == 0): each vector holds one key's scores for 16 query rows, keys and values read
//       in place, 16×16 transposes for Q and y. The same bits as v4. First a prototype here for
//       one key block (T <= 128): MiniLM's shape (S=128 D=32) 104 → 119 GFLOP/s, 1 thread. Then
//       any key length (online softmax per lane over blocks of 128 keys, key chunks in L2) and
//       key ranges (causal, lengths, a past cache): v4 → v6, 1 thread, best call, S=512 D=32
//       H=4 117–119 → 133–138, S=2048 D=64 136–139 → 145, causal S=128 D=32 B=4 H=12 59.5 → 74
//       GFLOP/s (bench/RESULTS.md, stop 17). Stop 21: one key block writes y's rows straight from
//       P·V (no Oᵀ, no output transposes): B=32 H=12 S=128 D=32, 1 thread, best of 300, 111–118 →
//       119.5–120.5 GFLOP/s; here (--batch 32 --heads 12, 128 32) v4 99.9, v6 123.4 best.
// Decode (few rows per group) reads keys in place instead of packing them (not timed here:
// `mha bench --case decode-gqa`).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "attention/cpu/flash.hpp"
#include "attention/cpu/isa.hpp"
#include "attention/params.hpp"
#include "attention/validate.hpp"
#include "mha/attention.hpp"
#include "mha/cpu_info.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"

namespace {

using namespace mha;

struct Version {
  const char* name;
  const char* what;
  DType dtype;
  bool available;
  std::function<void(const detail::AttentionParams&)> run;
};

Tensor uniform(DType dt, const Shape& s, unsigned seed) {
  Tensor t(dt, s);
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    store_from_double(t.data(), dt, i, static_cast<double>(x >> 40) * 0x1.0p-24 * 2.0 - 1.0);
  }
  return t;
}

// Params for y = attention(q, k, v) through the library's own validation.
detail::AttentionParams params_for(const AttentionInputs& in, const AttentionOptions& opt, const Tensor& y) {
  const detail::AttentionPlan plan = detail::plan_attention(in, opt);
  detail::AttentionParams p;
  p.B = plan.B;
  p.Hq = plan.Hq;
  p.Hkv = plan.Hkv;
  p.Sq = plan.Sq;
  p.T = plan.T;
  p.D = plan.D;
  p.Dv = plan.Dv;
  p.q = detail::operand_of(plan.q);
  p.k = detail::operand_of(plan.k);
  p.v = detail::operand_of(plan.v);
  p.scale = plan.scale;
  p.causal = opt.is_causal;
  p.y = detail::mutable_operand_of(y);
  return p;
}

// Worst |fast − reference| over y against the derived bound (src/attention/error_bound.hpp,
// simplified: fp32 roundoff scaled by head size and keys, + bf16 rounding for bf16 versions).
bool validate(const Version& v, std::int64_t D, bool causal, std::int64_t S) {
  const Tensor q = uniform(v.dtype, {1, 2, S, D}, 1), k = uniform(v.dtype, {1, 2, S, D}, 2),
               vv = uniform(v.dtype, {1, 2, S, D}, 3);
  AttentionOptions opt;
  opt.is_causal = causal;
  Tensor y(v.dtype, {1, 2, S, D});
  v.run(params_for({q, k, vv}, opt, y));
  const Tensor ref = reference::attention({q, k, vv}, opt).y;
  const double u = std::ldexp(1.0, -24), u16 = v.dtype == DType::bf16 ? std::ldexp(1.0, -8) : 0.0;
  const double s_abs = static_cast<double>(D) / std::sqrt(static_cast<double>(D));  // |q|,|k| <= 1
  const double bound = (2.0 * (D + 4) * u * s_abs + (2.0 * S + 8) * u) + 3.0 * u16;  // |v| <= 1
  double worst = 0.0;
  for (std::int64_t i = 0; i < y.numel(); ++i)
    worst = std::max(worst, std::abs(load_as_double(y.data(), y.dtype(), i) - ref.data_as<double>()[i]));
  std::printf("  %-3s validate S=%lld: max |err| %.2e, bound %.2e  %s\n", v.name, static_cast<long long>(S), worst, bound,
              worst <= bound ? "ok" : "FAILED");
  return worst <= bound;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t S = 2048, D = 64, B = 1, H = 8;
  int timed = 5;
  bool causal = false;
  int pos = 0;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "--causal") == 0) causal = true;
    else if (std::strcmp(argv[a], "--batch") == 0 && a + 1 < argc) B = std::atoll(argv[++a]);
    else if (std::strcmp(argv[a], "--heads") == 0 && a + 1 < argc) H = std::atoll(argv[++a]);
    else if (std::strcmp(argv[a], "--reps") == 0 && a + 1 < argc) timed = std::atoi(argv[++a]);
    else if (pos++ == 0) S = std::atoll(argv[a]);
    else D = std::atoll(argv[a]);
  }
  const CpuFeatures f = cpu_info().features;
  const std::vector<Version> versions = {
      {"v1", "row kernel (portable fp32)", DType::f32, true, detail::run_row_kernel},
      {"v2", "flash, portable 4-lane", DType::f32, true, detail::run_flash_scalar},
      {"v3", "flash, AVX2", DType::f32, detail::isa_supported(detail::Isa::avx2), detail::run_flash_avx2},
      {"v4", "flash, AVX-512 (row blocks)", DType::f32, detail::isa_supported(detail::Isa::avx512),
       [](const detail::AttentionParams& p) {
         detail::set_rows_in_lanes(false);
         detail::run_flash_avx512(p);
         detail::set_rows_in_lanes(true);
       }},
      {"v5", "flash, AVX-512 BF16 (bf16 in/out)", DType::bf16, detail::isa_supported(detail::Isa::avx512) && f.avx512_bf16,
       detail::run_flash_avx512_bf16},
      {"v6", "flash, AVX-512, rows in lanes", DType::f32, detail::isa_supported(detail::Isa::avx512),
       detail::run_flash_avx512},
  };
  std::printf("kernel lab: B=%lld H=%lld S=%lld D=%lld %s, %d threads, %s\n", static_cast<long long>(B),
              static_cast<long long>(H), static_cast<long long>(S),
              static_cast<long long>(D), causal ? "causal" : "non-causal", num_threads(), cpu_info().brand.c_str());
  int failed = 0;
  for (const Version& v : versions) {
    if (!v.available) {
      std::printf("%-3s %-36s not supported on this CPU\n", v.name, v.what);
      continue;
    }
    const bool lanes = std::strcmp(v.name, "v6") == 0;
    if (lanes && (S < 16 || D % 16 != 0)) {
      std::printf("%-3s %-36s covers S >= 16, D %% 16 == 0 (else v4 runs)\n", v.name, v.what);
      continue;
    }
    if (!validate(v, D, causal, 256)) {
      ++failed;
      continue;  // never time a wrong result
    }
    const Tensor q = uniform(v.dtype, {B, H, S, D}, 4), k = uniform(v.dtype, {B, H, S, D}, 5),
                 vv = uniform(v.dtype, {B, H, S, D}, 6);
    AttentionOptions opt;
    opt.is_causal = causal;
    Tensor y(v.dtype, {B, H, S, D});
    const detail::AttentionParams p = params_for({q, k, vv}, opt, y);
    const double flops = 4.0 * static_cast<double>(B * H) * static_cast<double>(S) * static_cast<double>(S) * static_cast<double>(D) * (causal ? 0.5 : 1.0);
    const int reps = v.run == nullptr ? 0 : (std::strcmp(v.name, "v1") == 0 || std::strcmp(v.name, "v2") == 0 ? 1 : timed);
    v.run(p);  // warm-up
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      v.run(p);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double med = ms[ms.size() / 2], best = ms.front();
    std::printf("%-3s %-36s %9.3f ms  %7.1f GFLOP/s  (best %.3f ms, %.1f GFLOP/s)\n", v.name, v.what, med,
                flops / (med * 1e-3) / 1e9, best, flops / (best * 1e-3) / 1e9);
  }
  return failed ? 1 : 0;
}
