#include "bench_grid.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "attention/cpu/isa.hpp"
#include "attention/error_bound.hpp"
#include "bench_inputs.hpp"
#include "mha/attention.hpp"
#include "mha/error.hpp"
#include "mha/module.hpp"

namespace mha::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSampledRows = 8;  // rows checked exactly per case (each costs O(T·D) in double)

double kept_pairs(const BenchCase& c) {
  if (!c.causal) return static_cast<double>(c.Sq) * static_cast<double>(c.Skv);
  double n = 0;  // top-left causal: query i sees keys 0..i
  for (std::int64_t i = 0; i < c.Sq; ++i) n += static_cast<double>(std::min(i + 1, c.Skv));
  return n;
}

// Current and peak resident set (VmRSS, VmHWM) in MiB, from /proc/self/status.
std::pair<double, double> rss_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  double rss = -1, hwm = -1;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stod(line.substr(6)) / 1024.0;
  }
  return {rss, hwm};
}

void reset_peak_rss() {  // Linux: writing 5 to clear_refs resets VmHWM to the current RSS
  std::ofstream("/proc/self/clear_refs") << "5";
}

// Evicts the caches between repetitions of a bandwidth-bound case (L3 here is up to 260 MiB).
void flush_caches() {
  static std::vector<char> junk(std::size_t{512} << 20, 1);
  const std::int64_t n = static_cast<std::int64_t>(junk.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; i += 64) junk[static_cast<std::size_t>(i)] += 1;
}

template <class F>
void time_it(const BenchCase& c, int reps, BenchResult& r, F&& run) {
  std::vector<double> ms;
  run();  // warm-up (first touch, thread start)
  const int n = c.memory_check ? 1 : reps;
  for (int i = 0; i < n; ++i) {
    if (c.bandwidth_bound()) flush_caches();
    const auto t0 = Clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  r.ms_median = ms[ms.size() / 2];
  r.ms_min = ms.front();
  r.ms_max = ms.back();
}

// Exact (double) attention output of one query row, with its error bound for the fast path.
struct RowCheck {
  double max_error = 0, bound = 0;
};

void check_row(const BenchCase& c, const TensorView& q, const TensorView& k, const TensorView& v,
               const TensorView& mask, const TensorView& y, std::int64_t b, std::int64_t h, std::int64_t i,
               RowCheck& out) {
  const std::int64_t hk = h / (c.H / c.Hkv);
  const double scale = 1.0 / std::sqrt(static_cast<double>(c.D));
  std::vector<double> s(static_cast<std::size_t>(c.Skv), -std::numeric_limits<double>::infinity());
  double mx = -std::numeric_limits<double>::infinity(), s_abs = 0, bias_abs = 0, v_abs = 0;
  for (std::int64_t j = 0; j < c.Skv; ++j) {
    if (c.causal && j > i) continue;
    double bias = 0;
    if (c.mask != BenchMask::none) {
      const double m = mask.get({b, 0, i, j});
      if (c.mask == BenchMask::boolean ? m == 0.0 : std::isinf(m)) continue;
      if (c.mask == BenchMask::additive) bias = m;
    }
    double dot = 0, dabs = 0;
    for (std::int64_t d = 0; d < c.D; ++d) {
      const double x = q.get({b, h, i, d}) * k.get({b, hk, j, d});
      dot += x;
      dabs += std::abs(x);
    }
    s[static_cast<std::size_t>(j)] = scale * dot + bias;
    mx = std::max(mx, s[static_cast<std::size_t>(j)]);
    s_abs = std::max(s_abs, scale * dabs);
    bias_abs = std::max(bias_abs, std::abs(bias));
    for (std::int64_t d = 0; d < c.D; ++d) v_abs = std::max(v_abs, std::abs(v.get({b, hk, j, d})));
  }
  std::vector<double> exact(static_cast<std::size_t>(c.D), 0.0);
  if (mx > -std::numeric_limits<double>::infinity()) {
    double sum = 0;
    for (double& x : s) sum += (x = std::exp(x - mx));
    for (std::int64_t j = 0; j < c.Skv; ++j)
      for (std::int64_t d = 0; d < c.D; ++d)
        exact[static_cast<std::size_t>(d)] += s[static_cast<std::size_t>(j)] / sum * v.get({b, hk, j, d});
  }
  const auto bound = detail::attention_bound(unit_roundoff(DType::f32), c.D, c.Skv, s_abs, bias_abs, v_abs);
  // 16-bit paths: the output's rounding, and probabilities rounded to 16 bits before P·V.
  const double u16 = c.dtype == DType::f32 ? 0.0 : unit_roundoff(c.dtype);
  for (std::int64_t d = 0; d < c.D; ++d) {
    const double e = exact[static_cast<std::size_t>(d)];
    const double tol = bound.y + u16 * (std::abs(e) + v_abs) + detail::rounding_floor(c.dtype) + detail::kTiny;
    const double err = std::abs(y.get({b, h, i, d}) - e);
    out.max_error = std::max(out.max_error, err);
    out.bound = std::max(out.bound, tol);
    if (!(err <= tol))
      throw Error("mha bench: " + c.label() + ": row (" + std::to_string(b) + ", " + std::to_string(h) + ", " +
                  std::to_string(i) + ") differs from the exact result by " + std::to_string(err) +
                  ", beyond the bound " + std::to_string(tol) + "; not timing a wrong result");
  }
}

void run_attention_case(const BenchCase& c, int reps, BenchResult& r) {
  const Tensor q = bench_tensor(static_cast<std::uint64_t>(Stream::query), c.dtype, Shape{c.B, c.H, c.Sq, c.D});
  const Tensor k = bench_tensor(static_cast<std::uint64_t>(Stream::key), c.dtype, Shape{c.B, c.Hkv, c.Skv, c.D});
  const Tensor v = bench_tensor(static_cast<std::uint64_t>(Stream::value), c.dtype, Shape{c.B, c.Hkv, c.Skv, c.D});
  Tensor mask;
  AttentionInputs in{q, k, v};
  if (c.mask == BenchMask::boolean) {
    mask = bench_bool_mask(Shape{c.B, 1, c.Sq, c.Skv});
    in.mask = Mask::keep(mask);
  } else if (c.mask == BenchMask::additive) {
    mask = bench_float_mask(Shape{c.B, 1, c.Sq, c.Skv});
    in.mask = Mask::additive(mask);
  }
  AttentionOptions opt;
  opt.is_causal = c.causal;
  Tensor y(c.dtype, Shape{c.B, c.H, c.Sq, c.D});
  auto run = [&] { attention(in, opt, AttentionOutputs{y}); };

  if (c.memory_check) {
    // Inputs and outputs exist and are touched; whatever the call adds on top is the kernel's.
    // (A fresh tensor's pages are mapped on first write, so y is written once here.)
    std::memset(y.data(), 0, y.nbytes());
    const double rss_before = rss_mib().first;
    reset_peak_rss();
    run();
    r.extra_mib = rss_mib().second - rss_before;
  } else {
    run();
  }
  // Validate before timing: rows spread over batch, heads and positions.
  RowCheck chk;
  for (int n = 0; n < kSampledRows; ++n) {
    const std::uint64_t hsh = splitmix64(0x5eedull + static_cast<std::uint64_t>(n));
    const std::int64_t b = static_cast<std::int64_t>(hsh % static_cast<std::uint64_t>(c.B));
    const std::int64_t h = static_cast<std::int64_t>((hsh >> 16) % static_cast<std::uint64_t>(c.H));
    const std::int64_t i = n == 0 ? c.Sq - 1 : static_cast<std::int64_t>((hsh >> 32) % static_cast<std::uint64_t>(c.Sq));
    check_row(c, q, k, v, mask, y, b, h, i, chk);
  }
  r.max_error = chk.max_error;
  r.bound = chk.bound;
  if (c.memory_check) {
    time_it(c, 1, r, run);
  } else {
    time_it(c, reps, r, run);
  }
}

void run_module_case(const BenchCase& c, int reps, BenchResult& r) {
  const std::int64_t E = c.E, S = c.Sq;
  // c.dtype is the dtype of the module's parameters (bf16: half the memory, fp32 arithmetic).
  MultiHeadAttention m({.embed_dim = E, .num_heads = c.H, .batch_first = true, .seed = 1, .weight_dtype = c.dtype});
  // Weights from the bench streams (reproducible elsewhere), scaled like torch's initialisation,
  // and rounded as the module keeps them (so the check below uses the values it multiplies).
  const float ws = 1.0f / std::sqrt(static_cast<float>(E));
  auto param = [&](std::uint64_t offset, const Shape& shape, float scale) {
    const Tensor t = bench_tensor(static_cast<std::uint64_t>(Stream::weights) + offset, DType::f32, shape, scale);
    return c.dtype == DType::f32 ? t : Tensor::copy_of(Tensor::copy_of(t.view(), c.dtype).view(), DType::f32);
  };
  const Tensor w_in = param(0, Shape{3 * E, E}, ws);
  const Tensor b_in = param(1, Shape{3 * E}, 0.1f);
  const Tensor w_out = param(2, Shape{E, E}, ws);
  const Tensor b_out = param(3, Shape{E}, 0.1f);
  m.load_state_dict({{"in_proj_weight", w_in}, {"in_proj_bias", b_in}, {"out_proj.weight", w_out}, {"out_proj.bias", b_out}});
  const Tensor x = bench_tensor(static_cast<std::uint64_t>(Stream::module_input), DType::f32, Shape{c.B, S, E});
  ForwardOptions fo;
  fo.need_weights = c.kind == BenchKind::module_weights;
  MultiHeadAttentionOutput out = m.forward(x, fo);

  // Validate batch 0, a few rows, in double: project every key/value, then attend.
  const std::int64_t hd = E / c.H;
  auto lin = [&](const Tensor& w, const Tensor& bias, std::int64_t row0, std::int64_t s, std::int64_t e) {
    double acc = bias.data_as<float>()[row0 + e], aabs = std::abs(acc);
    for (std::int64_t i = 0; i < E; ++i) {
      const double t = static_cast<double>(x.data_as<float>()[s * E + i]) * w.data_as<float>()[(row0 + e) * E + i];
      acc += t;
      aabs += std::abs(t);
    }
    return std::pair<double, double>{acc, aabs};
  };
  std::vector<double> kk(static_cast<std::size_t>(S * E)), vv(static_cast<std::size_t>(S * E));
  double proj_abs = 0, kmax = 0, vmax = 0;
  for (std::int64_t s = 0; s < S; ++s)
    for (std::int64_t e = 0; e < E; ++e) {
      const auto [kv, ka] = lin(w_in, b_in, E, s, e);
      const auto [vx, va] = lin(w_in, b_in, 2 * E, s, e);
      kk[static_cast<std::size_t>(s * E + e)] = kv;
      vv[static_cast<std::size_t>(s * E + e)] = vx;
      proj_abs = std::max({proj_abs, ka, va});
      kmax = std::max(kmax, std::abs(kv));
      vmax = std::max(vmax, std::abs(vx));
    }
  double worst = 0, bound_max = 0;
  const double u = unit_roundoff(DType::f32), scale = 1.0 / std::sqrt(static_cast<double>(hd));
  double wo_rows = 0;
  for (std::int64_t e = 0; e < E; ++e) {
    double rs = 0;
    for (std::int64_t i = 0; i < E; ++i) rs += std::abs(w_out.data_as<float>()[e * E + i]);
    wo_rows = std::max(wo_rows, rs);
  }
  for (int n = 0; n < kSampledRows; ++n) {
    const std::int64_t i = static_cast<std::int64_t>(splitmix64(0xab5eedull + static_cast<std::uint64_t>(n)) % static_cast<std::uint64_t>(S));
    std::vector<double> q(static_cast<std::size_t>(E)), heads(static_cast<std::size_t>(E), 0.0);
    double qmax = 0;
    for (std::int64_t e = 0; e < E; ++e) {
      q[static_cast<std::size_t>(e)] = lin(w_in, b_in, 0, i, e).first;
      qmax = std::max(qmax, std::abs(q[static_cast<std::size_t>(e)]));
    }
    for (std::int64_t h = 0; h < c.H; ++h) {
      std::vector<double> sc(static_cast<std::size_t>(S));
      double mx = -std::numeric_limits<double>::infinity(), sum = 0;
      for (std::int64_t j = 0; j < S; ++j) {
        double dot = 0;
        for (std::int64_t d = 0; d < hd; ++d) dot += q[static_cast<std::size_t>(h * hd + d)] * kk[static_cast<std::size_t>(j * E + h * hd + d)];
        sc[static_cast<std::size_t>(j)] = dot * scale;
        mx = std::max(mx, sc[static_cast<std::size_t>(j)]);
      }
      for (double& s2 : sc) sum += (s2 = std::exp(s2 - mx));
      for (std::int64_t j = 0; j < S; ++j)
        for (std::int64_t d = 0; d < hd; ++d)
          heads[static_cast<std::size_t>(h * hd + d)] += sc[static_cast<std::size_t>(j)] / sum * vv[static_cast<std::size_t>(j * E + h * hd + d)];
    }
    // The module bound of tests/unit/module_property_test.cpp, stage by stage.
    const double dproj = (static_cast<double>(E) + 2.0) * u * proj_abs;
    const double hdd = static_cast<double>(hd);
    const double ds = scale * hdd * (dproj * kmax + qmax * dproj + dproj * dproj) + (hdd + 4.0) * u * scale * hdd * qmax * kmax;
    const double dh = (2.0 * ds + (2.0 * static_cast<double>(S) + 8.0) * u) * vmax + dproj;
    const double tol = (static_cast<double>(E) + 1.0) * u * (vmax * wo_rows + 0.1) + dh * wo_rows;
    for (std::int64_t e = 0; e < E; ++e) {
      double y = b_out.data_as<float>()[e];
      for (std::int64_t t = 0; t < E; ++t) y += heads[static_cast<std::size_t>(t)] * w_out.data_as<float>()[e * E + t];
      const double err = std::abs(out.output.data_as<float>()[i * E + e] - y);
      worst = std::max(worst, err);
      bound_max = std::max(bound_max, tol);
      if (!(err <= tol))
        throw Error("mha bench: " + c.label() + ": module output row " + std::to_string(i) + " differs from the exact result by " +
                    std::to_string(err) + ", beyond the bound " + std::to_string(tol) + "; not timing a wrong result");
    }
  }
  r.max_error = worst;
  r.bound = bound_max;
  time_it(c, reps, r, [&] { out = m.forward(x, fo); });
}

}  // namespace

double BenchCase::flops() const {
  double f = 4.0 * static_cast<double>(B * H) * kept_pairs(*this) * static_cast<double>(D);
  if (kind != BenchKind::attention) f += 2.0 * static_cast<double>(B * Sq * E) * static_cast<double>(4 * E);
  return f;
}

double BenchCase::bytes() const {
  return 2.0 * static_cast<double>(B * Hkv * Skv * D) * static_cast<double>(dtype_size(dtype));
}

std::string BenchCase::label() const {
  std::ostringstream o;
  o << name << " " << dtype_name(dtype) << " B=" << B << " H=" << H;
  if (Hkv != H) o << "(" << Hkv << ")";
  o << " Sq=" << Sq << " Skv=" << Skv << " D=" << D;
  if (causal) o << " causal";
  if (mask == BenchMask::boolean) o << " bool-mask";
  if (mask == BenchMask::additive) o << " float-mask";
  if (kind == BenchKind::module_weights) o << " need_weights";
  if (kind != BenchKind::attention && dtype != DType::f32) o << " (parameters " << dtype_name(dtype) << ")";
  return o.str();
}

std::vector<BenchCase> standard_grid() {
  std::vector<BenchCase> g;
  auto attn = [&](const char* name, DType dt, std::int64_t B, std::int64_t H, std::int64_t Hkv, std::int64_t Sq,
                  std::int64_t Skv, std::int64_t D, bool causal, BenchMask mask = BenchMask::none) {
    BenchCase c;
    c.name = name;
    c.dtype = dt;
    c.B = B;
    c.H = H;
    c.Hkv = Hkv;
    c.Sq = Sq;
    c.Skv = Skv;
    c.D = D;
    c.causal = causal;
    c.mask = mask;
    g.push_back(c);
  };
  for (DType dt : {DType::f32, DType::bf16}) {
    for (std::int64_t s : {1024, 2048, 4096})
      for (bool causal : {false, true}) attn("prefill-64", dt, 1, 8, 8, s, s, 64, causal);
    for (bool causal : {false, true}) attn("prefill-128", dt, 1, 8, 8, 2048, 2048, 128, causal);
  }
  for (std::int64_t s : {1024, 2048}) {
    attn("masked-64", DType::f32, 1, 8, 8, s, s, 64, false, BenchMask::additive);
    attn("masked-64", DType::f32, 1, 8, 8, s, s, 64, false, BenchMask::boolean);
  }
  attn("minilm", DType::f32, 32, 12, 12, 128, 128, 32, false);
  for (DType dt : {DType::f32, DType::bf16})
    for (std::int64_t s : {4096, 32768}) attn("decode-gqa", dt, 1, 32, 8, 1, s, 128, false);
  for (auto [kind, dt] : {std::pair{BenchKind::module, DType::f32}, std::pair{BenchKind::module_weights, DType::f32},
                          std::pair{BenchKind::module, DType::bf16}}) {  // bf16: the parameters' dtype
    BenchCase c;
    c.name = "module";
    c.kind = kind;
    c.dtype = dt;
    c.B = 4;
    c.H = c.Hkv = 12;
    c.Sq = c.Skv = 512;
    c.D = 64;
    c.E = 768;
    g.push_back(c);
  }
  attn("long", DType::f32, 1, 8, 8, 65536, 65536, 64, true);
  g.back().memory_check = true;
  return g;
}

BenchResult run_case(const BenchCase& c, const MachinePeaks& peaks, int reps) {
  BenchResult r;
  r.c = c;
  if (c.kind == BenchKind::attention) run_attention_case(c, reps, r);
  else run_module_case(c, reps, r);
  if (c.bandwidth_bound()) {
    r.unit = "GB/s";
    r.rate = c.bytes() / (r.ms_median * 1e-3) / 1e9;
    r.peak = peaks.bandwidth_gbs;
  } else {
    r.rate = c.flops() / (r.ms_median * 1e-3) / 1e9;
    // bf16 attention runs vdpbf16ps on the avx512_bf16 target, else the fp32 kernel (isa.hpp);
    // the module with bf16 parameters computes in fp32.
    const bool bf16_math = c.dtype == DType::bf16 && c.kind == BenchKind::attention &&
                           detail::active_isa() == detail::Isa::avx512_bf16;
    r.peak = bf16_math && peaks.bf16_gflops > 0 ? peaks.bf16_gflops : peaks.fp32_gflops;
  }
  return r;
}

}  // namespace mha::cli
