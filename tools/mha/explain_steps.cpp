// The six steps of one layer of the model by mha::reference, and their check against the fast
// path. Printing: explain_print.cpp; the HTML panel: explain_panel.cpp.
#include "explain_steps.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "mha/dtype.hpp"
#include "print.hpp"

namespace mha::cli {
namespace {

// Rows [r0, r0 + n) of a contiguous 2-D weight, or elements [r0, r0 + n) of a 1-D bias.
TensorView rows(const Tensor& t, std::int64_t r0, std::int64_t n) {
  const std::int64_t row = t.rank() == 1 ? 1 : t.size(1);
  const auto* base = static_cast<const std::byte*>(t.data()) +
                     r0 * row * static_cast<std::int64_t>(dtype_size(t.dtype()));
  return t.rank() == 1 ? TensorView(base, t.dtype(), Shape{n})
                       : TensorView(base, t.dtype(), Shape{n, row});
}

bool is_special(const std::string& token) { return token == "[CLS]" || token == "[SEP]"; }

// The keys shown in a row of scores or weights: all of them up to this many, else this many.
constexpr std::int64_t kMaxKeys = 14;

}  // namespace

double at(const TensorView& t, std::int64_t i) { return load_as_double(t.data(), t.dtype(), i); }

std::vector<double> values(const TensorView& t, std::int64_t offset, std::int64_t count) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < count; ++i) v.push_back(at(t, offset + i));
  return v;
}

std::string quoted(const std::string& token) { return "\"" + token + "\""; }

StepDims dims(const Steps& s) { return {s.q.size(2), s.q.size(1), s.q.size(3), s.x.size(2)}; }

std::vector<std::int64_t> shown_keys(const Steps& s, const StepFocus& f) {
  const StepDims d = dims(s);
  std::vector<std::int64_t> keys(static_cast<std::size_t>(d.S));
  for (std::int64_t j = 0; j < d.S; ++j) keys[static_cast<std::size_t>(j)] = j;
  if (d.S <= kMaxKeys) return keys;
  const std::int64_t row = (f.head * d.S + f.query) * d.S;
  const TensorView p = s.weighed.probabilities;
  std::stable_sort(keys.begin(), keys.end(),
                   [&](std::int64_t a, std::int64_t b) { return at(p, row + a) > at(p, row + b); });
  keys.resize(kMaxKeys);
  std::sort(keys.begin(), keys.end());
  return keys;
}

Steps run_steps(const MultiHeadAttention& attention, const Tensor& x) {
  const std::int64_t E = attention.options().embed_dim, H = attention.options().num_heads;
  const std::map<std::string, Tensor> sd = attention.state_dict();
  const Tensor& w_in = sd.at("in_proj_weight");  // [3E, E]: Wq, Wk, Wv one under the other
  const Tensor& b_in = sd.at("in_proj_bias");    // [3E]
  Steps s;
  s.input = Tensor::copy_of(x);
  s.x = reference::input(x);
  s.q = reference::project(s.x, rows(w_in, 0, E), rows(b_in, 0, E), H);
  s.k = reference::project(s.x, rows(w_in, E, E), rows(b_in, E, E), H);
  s.v = reference::project(s.x, rows(w_in, 2 * E, E), rows(b_in, 2 * E, E), H);
  s.scale = 1.0 / std::sqrt(static_cast<double>(attention.head_dim()));
  s.scores = reference::score(s.q, s.k, s.scale);
  const Tensor keep_all(DType::f64, s.scores.shape());  // additive bias 0: no mask, every key kept
  s.weighed = reference::weigh(s.scores, keep_all, s.v);
  s.concat = reference::concat(s.weighed.heads);
  s.y = reference::output(s.concat, sd.at("out_proj.weight"), sd.at("out_proj.bias"));
  return s;
}

std::int64_t pick_query(const Steps& s, std::int64_t head, const std::vector<std::string>& tokens) {
  const StepDims d = dims(s);
  std::int64_t best = 0;
  double best_p = -1.0;
  for (std::int64_t i = 0; i < d.S; ++i) {
    if (is_special(tokens[static_cast<std::size_t>(i)])) continue;
    for (std::int64_t j = 0; j < d.S; ++j) {
      if (is_special(tokens[static_cast<std::size_t>(j)])) continue;
      const double p = at(s.weighed.probabilities, (head * d.S + i) * d.S + j);
      if (p > best_p) best = i, best_p = p;
    }
  }
  return best;
}

bool print_check(std::ostream& out, const MultiHeadAttention& attention, const Steps& s,
                 const TensorView& model_weights) {
  ForwardOptions fo;
  fo.need_weights = true;
  fo.average_attn_weights = false;  // per head [1, H, S, S]
  const MultiHeadAttentionOutput fast = attention.forward(s.input, fo);

  // fp32 rounding accumulates along each reduction: E in the projections and the output, D in
  // the scores, S in the weighted sum. The bound u·(2E + D + S), times 8 for the exponential and
  // the value magnitudes, times the largest magnitude compared (a trained model's outputs reach
  // a few units), is loose for a correct kernel (measured: 400x below it on all-MiniLM-L6-v2)
  // and tight for a wrong one (a wrong index or a missed row is O(0.1)).
  const StepDims d = dims(s);
  const double u = unit_roundoff(DType::f32);
  const double base = 8.0 * u * static_cast<double>(2 * d.E + d.D + d.S);
  double y_max = 1.0;
  for (std::int64_t k = 0; k < s.y.numel(); ++k) y_max = std::max(y_max, std::abs(at(s.y, k)));

  struct Row {
    const char* what;
    double diff, tol;
  };
  const Row checks[] = {
      {"output  MultiHeadAttention::forward (fp32)   ", max_abs_diff(fast.output, s.y),
       base * y_max},
      {"weights MultiHeadAttention::forward (fp32)   ",
       max_abs_diff(fast.weights, s.weighed.probabilities), base},
      {"weights Model::encode, this layer (fp32)     ",
       max_abs_diff(model_weights, s.weighed.probabilities), base},
  };
  out << "check    the fast path against the six steps above (mha::reference, f64)\n";
  bool ok = true;
  for (const Row& r : checks) {
    const bool pass = r.diff <= r.tol;  // false for NaN too
    ok = ok && pass;
    out << "   " << r.what << "max abs difference " << general(r.diff) << " (tolerance "
        << general(r.tol) << ")  " << (pass ? "ok" : "MISMATCH") << "\n";
  }
  return ok;
}

}  // namespace mha::cli
