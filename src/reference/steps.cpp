// The six steps, plain loops, double accumulation. See include/mha/reference.hpp.
#include <cmath>
#include <limits>

#include "attention/dropout.hpp"
#include "mha/error.hpp"
#include "mha/reference.hpp"

namespace mha::reference {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// Index of [a, b, c, d] in a contiguous tensor of shape s.
inline std::int64_t idx(const Shape& s, std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) {
  return ((a * s[1] + b) * s[2] + c) * s[3] + d;
}
inline std::int64_t idx(const Shape& s, std::int64_t a, std::int64_t b, std::int64_t c) {
  return (a * s[1] + b) * s[2] + c;
}

}  // namespace

Tensor input(const TensorView& x) {
  return Tensor::copy_of(x, DType::f64);  // x: [B, S, E]
}

Tensor split_heads(const TensorView& x, std::int64_t heads) {
  const std::int64_t B = x.size(0), S = x.size(1), D = x.size(2) / heads;
  Tensor out(DType::f64, Shape{B, heads, S, D});  // [B, H, S, D]
  double* o = out.data_as<double>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < heads; ++h)
      for (std::int64_t s = 0; s < S; ++s)
        for (std::int64_t d = 0; d < D; ++d) o[idx(out.shape(), b, h, s, d)] = x.get({b, s, h * D + d});
  return out;
}

Tensor project(const TensorView& x, const TensorView& w, const TensorView& b, std::int64_t heads) {
  const std::int64_t B = x.size(0), S = x.size(1), Ein = x.size(2), Eout = w.size(0);
  Tensor y(DType::f64, Shape{B, S, Eout});  // [B, S, Eout]
  double* yo = y.data_as<double>();
  for (std::int64_t n = 0; n < B; ++n)
    for (std::int64_t s = 0; s < S; ++s)
      for (std::int64_t e = 0; e < Eout; ++e) {
        double acc = b.defined() ? b.get({e}) : 0.0;
        for (std::int64_t i = 0; i < Ein; ++i) acc += x.get({n, s, i}) * w.get({e, i});
        yo[idx(y.shape(), n, s, e)] = acc;
      }
  return split_heads(y, heads);  // [B, heads, S, Eout / heads]
}

Tensor score(const TensorView& q, const TensorView& k, double scale) {
  const std::int64_t B = q.size(0), Hq = q.size(1), Sq = q.size(2), D = q.size(3);
  const std::int64_t Hkv = k.size(1), T = k.size(2);
  Tensor s(DType::f64, Shape{B, Hq, Sq, T});  // [B, Hq, Sq, T]
  double* so = s.data_as<double>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < Hq; ++h)
      for (std::int64_t i = 0; i < Sq; ++i)
        for (std::int64_t j = 0; j < T; ++j) {
          const std::int64_t hk = h / (Hq / Hkv);
          double acc = 0.0;
          for (std::int64_t d = 0; d < D; ++d) acc += q.get({b, h, i, d}) * k.get({b, hk, j, d});
          so[idx(s.shape(), b, h, i, j)] = scale * acc;
        }
  return s;
}

Tensor softcap(const Tensor& scores, double cap) {
  Tensor out = scores;
  if (cap > 0.0) {
    double* o = out.data_as<double>();
    for (std::int64_t n = 0; n < out.numel(); ++n) o[n] = cap * std::tanh(o[n] / cap);
  }
  return out;
}

namespace {

// The steps after `score` work on the f64 tensors that the steps before them return.
void require_f64(const Tensor& t, const char* where, const char* arg, int rank) {
  if (!t.defined() || t.dtype() != DType::f64 || t.rank() != rank)
    throw Error(where, arg, "an f64 tensor of rank " + std::to_string(rank) + " (as the previous step returns)",
                t.defined() ? std::string(dtype_name(t.dtype())) + " " + t.shape().str() : "an absent tensor");
}

}  // namespace

Weighed weigh(const Tensor& scores, const Tensor& bias, const TensorView& v, std::optional<Dropout> dropout) {
  require_f64(scores, "mha::reference::weigh", "scores", 4);
  Tensor no_bias;
  if (!bias.defined()) no_bias = Tensor(DType::f64, scores.shape());  // absent: every key kept
  else require_f64(bias, "mha::reference::weigh", "bias", 4);
  if (bias.defined() && !(bias.shape() == scores.shape()))
    throw Error("mha::reference::weigh", "bias", "shape " + scores.shape().str(), "shape " + bias.shape().str());
  const Shape& sh = scores.shape();
  const std::int64_t B = sh[0], Hq = sh[1], Sq = sh[2], T = sh[3];
  const std::int64_t Hkv = v.size(1), Dv = v.size(3);
  Weighed w{Tensor(DType::f64, sh), Tensor(DType::f64, Shape{B, Hq, Sq, Dv})};
  const double* sc = scores.data_as<double>();
  const double* bi = bias.defined() ? bias.data_as<double>() : no_bias.data_as<double>();
  double* p = w.probabilities.data_as<double>();
  double* out = w.heads.data_as<double>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < Hq; ++h)
      for (std::int64_t i = 0; i < Sq; ++i) {
        const std::int64_t row = idx(sh, b, h, i, 0);
        // Softmax over the kept keys only.
        double mx = kNegInf;
        bool any = false;
        for (std::int64_t j = 0; j < T; ++j)
          if (bi[row + j] != kNegInf) {
            mx = std::max(mx, sc[row + j] + bi[row + j]);
            any = true;
          }
        if (!any) continue;  // fully masked: probabilities and output stay 0
        double sum = 0.0;
        for (std::int64_t j = 0; j < T; ++j)
          if (bi[row + j] != kNegInf) {
            p[row + j] = std::exp(sc[row + j] + bi[row + j] - mx);
            sum += p[row + j];
          }
        for (std::int64_t j = 0; j < T; ++j) {
          p[row + j] /= sum;
          if (dropout && dropout->p > 0.0)
            p[row + j] = detail::dropout_keep(dropout->seed, dropout->p, b, h, i, j) ? p[row + j] / (1.0 - dropout->p) : 0.0;
        }
        // Weighted sum of the values of the kept keys.
        const std::int64_t hk = h / (Hq / Hkv);
        for (std::int64_t d = 0; d < Dv; ++d) {
          double acc = 0.0;
          for (std::int64_t j = 0; j < T; ++j)
            if (bi[row + j] != kNegInf && p[row + j] != 0.0) acc += p[row + j] * v.get({b, hk, j, d});
          out[idx(w.heads.shape(), b, h, i, d)] = acc;
        }
      }
  return w;
}

Tensor concat(const Tensor& heads) {
  require_f64(heads, "mha::reference::concat", "heads", 4);
  const Shape& sh = heads.shape();  // [B, H, S, Dv]
  const std::int64_t B = sh[0], H = sh[1], S = sh[2], Dv = sh[3];
  Tensor out(DType::f64, Shape{B, S, H * Dv});  // [B, S, H·Dv]
  const double* in = heads.data_as<double>();
  double* o = out.data_as<double>();
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t s = 0; s < S; ++s)
        for (std::int64_t d = 0; d < Dv; ++d) o[idx(out.shape(), b, s, h * Dv + d)] = in[idx(sh, b, h, s, d)];
  return out;
}

Tensor output(const Tensor& x, const TensorView& w, const TensorView& b) {
  require_f64(x, "mha::reference::output", "x", 3);
  const std::int64_t B = x.size(0), S = x.size(1), E = x.size(2), Eout = w.size(0);
  Tensor y(DType::f64, Shape{B, S, Eout});  // [B, S, Eout]
  const double* xi = x.data_as<double>();
  double* yo = y.data_as<double>();
  for (std::int64_t n = 0; n < B; ++n)
    for (std::int64_t s = 0; s < S; ++s)
      for (std::int64_t e = 0; e < Eout; ++e) {
        double acc = b.defined() ? b.get({e}) : 0.0;
        for (std::int64_t i = 0; i < E; ++i) acc += xi[idx(x.shape(), n, s, i)] * w.get({e, i});
        yo[idx(y.shape(), n, s, e)] = acc;
      }
  return y;
}

}  // namespace mha::reference
