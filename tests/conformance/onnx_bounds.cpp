#include "conformance/onnx_bounds.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "mha/reference.hpp"

namespace mha::onnx_conformance {
namespace {

constexpr double kFp32 = 0x1p-24;  // unit roundoff of the float32 accumulations on both sides

// Ulps of error allowed for exp and tanh. The reference's float16/bfloat16 ufuncs evaluate them
// in float32 and round once to T, its float32 path uses libm (within 1-2 ulp); mha's fast paths
// may use polynomial approximations (and fold log2(e) into the scale for exp2), so it gets a
// few ulps more than a correctly rounded libm.
constexpr double kRefTranscendentalUlps = 2.0;
constexpr double kMhaTranscendentalUlps = 4.0;

Tensor abs_f64(const TensorView& t) {
  Tensor c = Tensor::copy_of(t, DType::f64);
  double* p = c.data_as<double>();
  for (std::int64_t n = 0; n < c.numel(); ++n) p[n] = std::abs(p[n]);
  return c;
}

}  // namespace

double gamma(double n, double u) { return n * u / (1.0 - n * u); }

ErrorModel reference_model(DType t, bool softcap) {
  ErrorModel m;
  m.u_elem = unit_roundoff(t);
  m.u_acc = kFp32;
  m.u_out = unit_roundoff(t);
  // √scale rounded to T and squared through Q·√s and K·√s (2), each of those products (2),
  // the matmul's result rounded to T (1), the bias add (1).
  m.n_score = 6.0;
  if (softcap) m.n_score += 2.0 + kRefTranscendentalUlps;  // x/c, tanh, ·c
  // exp, the division by the sum, the cast of the probabilities to T (the T-term sum: T).
  m.n_soft = kRefTranscendentalUlps + 2.0;
  return m;
}

ErrorModel mha_model(DType t, bool softcap) {
  ErrorModel m;
  m.u_elem = kFp32;
  m.u_acc = kFp32;
  m.u_out = unit_roundoff(t);
  // The scale rounded to float (1), the multiply (1), the bias add (1), a log2(e) folded into
  // the scale by an exp2-based kernel (1).
  m.n_score = 4.0;
  if (softcap) m.n_score += 2.0 + kMhaTranscendentalUlps;
  // exp, the reciprocal of the sum and its multiply (the T-term sum: T).
  m.n_soft = kMhaTranscendentalUlps + 2.0;
  return m;
}

double score_bound(const ErrorModel& m, std::int64_t D, double s, double b) {
  return gamma(static_cast<double>(D), m.u_acc) * s + gamma(m.n_score, m.u_elem) * s + m.u_elem * b;
}

namespace {
// ((1 + γ)·e^(2Δs) − 1): the relative error of a probability.
double prob_rel(const ErrorModel& m, std::int64_t T, double ds) {
  return (1.0 + gamma(static_cast<double>(T) + m.n_soft, m.u_elem)) * std::exp(2.0 * ds) - 1.0;
}
}  // namespace

double prob_bound(const ErrorModel& m, std::int64_t T, double ds, double p) {
  return prob_rel(m, T, ds) * p + m.u_elem / std::numbers::e;
}

double y_bound(const ErrorModel& m, std::int64_t T, double ds, double v) {
  const double Td = static_cast<double>(T);
  return (prob_rel(m, T, ds) + Td * m.u_elem / std::numbers::e + gamma(Td, m.u_acc) + m.u_out) * v;
}

Magnitudes magnitudes(const AttentionInputs& in, const AttentionOptions& opt,
                      const TensorView& present_key, const TensorView& present_value) {
  Magnitudes g;
  const bool three_d = in.query.rank() == 3;
  const Tensor q = three_d ? reference::split_heads(in.query, opt.q_num_heads)
                           : Tensor::copy_of(in.query, DType::f64);  // [B, Hq, Sq, D]
  g.B = q.size(0);
  g.Hq = q.size(1);
  g.Sq = q.size(2);
  g.D = q.size(3);
  g.Hkv = present_key.size(1);
  g.T = present_key.size(2);
  g.Dv = present_value.size(3);
  const std::int64_t P = in.past_key.defined() ? in.past_key.size(2) : 0;
  const double scale =
      opt.scale ? static_cast<double>(*opt.scale) : 1.0 / std::sqrt(static_cast<double>(g.D));

  g.s_abs = reference::score(abs_f64(q), abs_f64(present_key), std::abs(scale));  // [B, Hq, Sq, T]
  g.bias = reference::attention_bias(in, opt, g.B, g.Hq, g.Sq, P, g.T);           // [B, Hq, Sq, T]
  const Tensor v = abs_f64(present_value);                                        // [B, Hkv, T, Dv]

  g.row_s = Tensor(DType::f64, Shape{g.B, g.Hq, g.Sq});
  g.row_b = Tensor(DType::f64, Shape{g.B, g.Hq, g.Sq});
  g.row_v = Tensor(DType::f64, Shape{g.B, g.Hq, g.Sq});
  const double* s = g.s_abs.data_as<double>();
  const double* bias = g.bias.data_as<double>();
  const double* vv = v.data_as<double>();
  const std::int64_t group = g.Hq / g.Hkv;  // query head h reads key/value head h / group
  for (std::int64_t b = 0; b < g.B; ++b)
    for (std::int64_t h = 0; h < g.Hq; ++h)
      for (std::int64_t i = 0; i < g.Sq; ++i) {
        const std::int64_t row = (b * g.Hq + h) * g.Sq + i;
        double ms = 0.0, mb = 0.0, mv = 0.0;
        for (std::int64_t j = 0; j < g.T; ++j) {
          const std::int64_t e = row * g.T + j;
          if (bias[e] == -std::numeric_limits<double>::infinity()) continue;  // removed: never read
          // Written as comparisons so a NaN can never become a maximum.
          if (s[e] > ms) ms = s[e];
          if (std::abs(bias[e]) > mb) mb = std::abs(bias[e]);
          const double* vr = vv + ((b * g.Hkv + h / group) * g.T + j) * g.Dv;
          for (std::int64_t d = 0; d < g.Dv; ++d)
            if (vr[d] > mv) mv = vr[d];
        }
        g.row_s.data_as<double>()[row] = ms;
        g.row_b.data_as<double>()[row] = mb;
        g.row_v.data_as<double>()[row] = mv;
      }
  return g;
}

}  // namespace mha::onnx_conformance
