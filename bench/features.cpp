// Every feature at speed: one attention problem (B=1, H=8, S, D=64; fp32 or bf16) with each
// feature in turn — layouts, GQA, masks, softcap, windows, a KV cache, attention probabilities —
// each validated against the double reference at S=256 before it is timed at S, then reported
// as GFLOP/s on the scores the feature keeps and as a share of the plain case's rate in the
// same run (ISSUE 3, "every feature at speed"; results in bench/RESULTS.md).
//
//   build/release/bench/mha_features [S] [--bf16] [--reps N]     (default S=1024, fp32, 10 reps)
//
// Threads: MHA_NUM_THREADS / mha::set_num_threads as everywhere. Times are the best of N calls
// (the machine is shared; see ../shared/BENCHMARKS.md).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "attention/error_bound.hpp"
#include "mha/attention.hpp"
#include "mha/bench_inputs.hpp"  // tools/mha: the benchmark input streams
#include "mha/cpu_info.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"

namespace {

using namespace mha;

constexpr std::int64_t kHeads = 8, kD = 64, kWindow = 256, kChunk = 128;

// Stream `seed` of the benchmark inputs (tools/mha/bench_inputs.hpp), mapped to [lo, hi).
Tensor uniform(DType dt, const Shape& s, unsigned seed, double lo = -1.0, double hi = 1.0) {
  Tensor t(dt, s);
  for (std::int64_t i = 0; i < t.numel(); ++i)
    store_from_double(t.data(), dt, i, lo + (hi - lo) * 0.5 * (cli::bench_uniform(seed, static_cast<std::uint64_t>(i)) + 1.0));
  return t;
}

// One feature: builds its inputs for sequence length S and says which scores it keeps.
struct Problem {
  std::vector<Tensor> hold;  // tensors the views below point into
  AttentionInputs in;
  AttentionOptions opt;
  Tensor y, qk;              // outputs (qk only when probabilities are asked for)
  double kept_scores = 0.0;  // scores that count, over all heads
  double bias_abs = 0.0;     // largest finite additive mask value (for the error bound)
};

struct Feature {
  const char* name;
  std::function<Problem(DType, std::int64_t)> make;
};

double causal_scores(std::int64_t Sq, std::int64_t T, std::int64_t window) {  // bottom-right aligned
  double n = 0.0;
  for (std::int64_t i = 0; i < Sq; ++i) {
    const std::int64_t hi = T - Sq + i + 1;
    n += static_cast<double>(window > 0 ? std::min(hi, window) : hi);
  }
  return n;
}

Problem plain(DType dt, std::int64_t S, std::int64_t hkv = kHeads) {
  Problem p;
  p.hold = {uniform(dt, {1, kHeads, S, kD}, 1), uniform(dt, {1, hkv, S, kD}, 2), uniform(dt, {1, hkv, S, kD}, 3)};
  p.in = {p.hold[0], p.hold[1], p.hold[2]};
  p.y = Tensor(dt, {1, kHeads, S, kD});
  p.kept_scores = static_cast<double>(kHeads) * static_cast<double>(S) * static_cast<double>(S);
  return p;
}

// An additive mask of random biases in [−2, 0) (nothing removed: every score counts).
Problem with_bias(Problem p, const Shape& shape) {
  p.hold.push_back(uniform(DType::f32, shape, 7, -2.0, 0.0));
  p.in.mask = Mask::additive(p.hold.back());
  p.bias_abs = 2.0;
  return p;
}

std::vector<Feature> features() {
  return {
      {"plain [B,H,S,D]", [](DType dt, std::int64_t S) { return plain(dt, S); }},
      {"3-D [B,S,H*D] (module layout)",
       [](DType dt, std::int64_t S) {
         Problem p;
         p.hold = {uniform(dt, {1, S, kHeads * kD}, 1), uniform(dt, {1, S, kHeads * kD}, 2),
                   uniform(dt, {1, S, kHeads * kD}, 3)};
         p.in = {p.hold[0], p.hold[1], p.hold[2]};
         p.opt.q_num_heads = p.opt.kv_num_heads = kHeads;
         p.y = Tensor(dt, {1, S, kHeads * kD});
         p.kept_scores = static_cast<double>(kHeads) * static_cast<double>(S) * static_cast<double>(S);
         return p;
       }},
      {"GQA 8 query / 2 KV heads", [](DType dt, std::int64_t S) { return plain(dt, S, 2); }},
      {"causal",
       [](DType dt, std::int64_t S) {
         Problem p = plain(dt, S);
         p.opt.is_causal = true;
         p.kept_scores = kHeads * causal_scores(S, S, 0);
         return p;
       }},
      {"causal, sliding window 256",
       [](DType dt, std::int64_t S) {
         Problem p = plain(dt, S);
         p.opt.is_causal = true;
         p.opt.left_window = kWindow - 1;
         p.kept_scores = kHeads * causal_scores(S, S, kWindow);
         return p;
       }},
      {"softcap 30",
       [](DType dt, std::int64_t S) {
         Problem p = plain(dt, S);
         p.opt.softcap = 30.0f;
         return p;
       }},
      {"float mask [S,S], random bias", [](DType dt, std::int64_t S) { return with_bias(plain(dt, S), {S, S}); }},
      {"float mask [B,H,S,S] (per head)",
       [](DType dt, std::int64_t S) { return with_bias(plain(dt, S), {1, kHeads, S, S}); }},
      {"bool mask [S,S], 7/8 kept",
       [](DType dt, std::int64_t S) {
         Problem p = plain(dt, S);
         Tensor m(DType::boolean, {S, S});
         std::uint64_t x = 12345;
         double kept = 0.0;
         for (std::int64_t i = 0; i < m.numel(); ++i) {
           x = x * 6364136223846793005ull + 1442695040888963407ull;
           const bool keep = (x >> 61) != 0;  // 7 of 8
           m.data_as<std::uint8_t>()[i] = keep;
           kept += keep;
         }
         p.hold.push_back(m);
         p.in.mask = Mask::keep(p.hold.back());
         p.kept_scores = kHeads * kept;
         return p;
       }},
      {"KV cache: 128 new rows, causal",
       [](DType dt, std::int64_t S) {
         Problem p;
         const std::int64_t P = S - kChunk;
         p.hold = {uniform(dt, {1, kHeads, kChunk, kD}, 1), uniform(dt, {1, kHeads, kChunk, kD}, 2),
                   uniform(dt, {1, kHeads, kChunk, kD}, 3), uniform(dt, {1, kHeads, P, kD}, 4),
                   uniform(dt, {1, kHeads, P, kD}, 5)};
         p.in = {p.hold[0], p.hold[1], p.hold[2]};
         p.in.past_key = p.hold[3];
         p.in.past_value = p.hold[4];
         p.opt.is_causal = true;
         p.y = Tensor(dt, {1, kHeads, kChunk, kD});
         p.kept_scores = kHeads * causal_scores(kChunk, S, 0);
         return p;
       }},
      {"attention probabilities too",
       [](DType dt, std::int64_t S) {
         Problem p = plain(dt, S);
         p.opt.qk_output_mode = QkOutput::probabilities;
         p.qk = Tensor(dt, {1, kHeads, S, S});
         return p;
       }},
  };
}

AttentionOutputs outputs(Problem& p) {
  AttentionOutputs o{p.y};
  if (p.qk.defined()) o.qk_output = p.qk;
  if (p.in.past_key.data()) {  // present = concat(past, new): the caller's buffers
    const std::int64_t T = p.in.past_key.size(2) + p.in.key.size(2);
    p.hold.push_back(Tensor(p.in.key.dtype(), {1, kHeads, T, kD}));
    p.hold.push_back(Tensor(p.in.value.dtype(), {1, kHeads, T, kD}));
    o.present_key = p.hold[p.hold.size() - 2];
    o.present_value = p.hold.back();
  }
  return o;
}

// Worst |y − reference| over the derived bound (src/attention/error_bound.hpp): inputs in
// [−1, 1], so |scale·q·k| <= √D and |v| <= 1; the bf16 kernel adds its probability rounding,
// a bf16 output its own rounding. At most 1 passes.
double validate(const Feature& f, DType dt) {
  const std::int64_t S = 256;
  Problem p = f.make(dt, S);
  attention(p.in, p.opt, outputs(p));
  const Tensor ref = reference::attention(p.in, p.opt).y;
  const double s_abs = std::sqrt(static_cast<double>(kD));
  auto bound = detail::attention_bound(std::ldexp(1.0, -24), kD, S, s_abs, p.bias_abs, 1.0);
  if (dt == DType::bf16) bound.y += detail::kBf16KernelProbabilityError + std::ldexp(1.0, -9);
  double worst = 0.0;
  for (std::int64_t i = 0; i < p.y.numel(); ++i)
    worst = std::max(worst, std::abs(load_as_double(p.y.data(), p.y.dtype(), i) - ref.data_as<double>()[i]));
  return worst / bound.y;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t S = 1024;
  DType dt = DType::f32;
  int reps = 10;
  for (int a = 1; a < argc; ++a) {
    if (std::strcmp(argv[a], "--bf16") == 0) dt = DType::bf16;
    else if (std::strcmp(argv[a], "--reps") == 0 && a + 1 < argc) reps = std::max(1, std::atoi(argv[++a]));
    else S = std::atoll(argv[a]);
  }
  if (S < 2 * kChunk) {
    std::fprintf(stderr, "mha_features: S must be at least %d (the KV-cache case adds %d rows to a cache), got %lld\n",
                 static_cast<int>(2 * kChunk), static_cast<int>(kChunk), static_cast<long long>(S));
    return 2;
  }
  std::printf("features: B=1 H=%d S=%lld D=%d %s, threads %d, best of %d, %s\n", static_cast<int>(kHeads),
              static_cast<long long>(S), static_cast<int>(kD), dtype_name(dt), num_threads(), reps, cpu_info().brand.c_str());
  std::printf("%-34s %9s %14s %9s  %s\n", "feature", "ms", "GFLOP/s kept", "÷ plain", "error ÷ bound at S=256");
  int failed = 0;
  double plain_rate = 0.0;
  for (const Feature& f : features()) {
    const double err = validate(f, dt);
    if (!(err <= 1.0)) {
      std::printf("%-34s FAILED validation: error %.3g × the bound\n", f.name, err);
      ++failed;
      continue;  // never time a wrong result
    }
    Problem p = f.make(dt, S);
    const AttentionOutputs out = outputs(p);
    attention(p.in, p.opt, out);  // warm-up
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      attention(p.in, p.opt, out);
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    const double rate = 4.0 * p.kept_scores * kD / (best * 1e-3) / 1e9;
    if (plain_rate == 0.0) plain_rate = rate;
    std::printf("%-34s %9.3f %14.1f %8.1f%%  %.3f\n", f.name, best, rate, 100.0 * rate / plain_rate, err);
  }
  return failed ? 1 : 0;
}
