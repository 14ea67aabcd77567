// The six steps as text, for `mha explain` in a terminal.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "explain_steps.hpp"
#include "print.hpp"

namespace mha::cli {
namespace {

std::string signed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.4f", v);
  return buf;
}

std::string join(const std::vector<double>& v) {
  std::string s;
  for (const double x : v) {
    if (!s.empty()) s += ' ';
    s += signed4(x);
  }
  return s;
}

// "token value" pairs of one row over the keys, wrapped under an indent.
void print_keyed_row(std::ostream& out, const TensorView& t, std::int64_t row0,
                     const std::vector<std::int64_t>& keys, const StepFocus& f, int digits) {
  std::string line = "     ";
  for (const std::int64_t j : keys) {
    const double v = at(t, row0 + j);
    std::string item = f.tokens[static_cast<std::size_t>(j)] + " " +
                       (digits == 2 ? fixed(v, 2) : signed4(v).substr(0, 6));
    if (line.size() + item.size() > 96) {
      out << line << "\n";
      line = "     ";
    }
    line += "  " + item;
  }
  out << line << "\n";
}

}  // namespace

void print_steps(std::ostream& out, const Steps& s, const StepFocus& f) {
  const StepDims d = dims(s);
  const std::string h = std::to_string(f.head), i = std::to_string(f.query);
  const std::string token = quoted(f.tokens[static_cast<std::size_t>(f.query)]);
  const std::string qi = "[0, " + h + ", " + i + ", :4]";

  out << "1. input    x " << s.x.shape().str() << "\n   "
      << (f.layer == 0
              ? "the embeddings: LayerNorm(word + position + token type), one vector per token"
              : "layer " + std::to_string(f.layer - 1) + "'s output: one vector of " +
                    std::to_string(d.E) + " per token")
      << "\n   x[0, " << i << ", :4]          " << join(values(s.x, f.query * d.E, 4)) << "   "
      << token << "\n\n";

  out << "2. project  q " << s.q.shape().str() << "  k " << s.k.shape().str() << "  v "
      << s.v.shape().str() << "\n"
      << "   q = x Wq^T + bq, k = x Wk^T + bk, v = x Wv^T + bv, each split into " << d.H
      << " heads of " << d.D << "\n";
  for (const auto& [name, t] : {std::pair{"q", &s.q}, {"k", &s.k}, {"v", &s.v}})
    out << "   " << name << qi << "    " << join(values(*t, (f.head * d.S + f.query) * d.D, 4))
        << "\n";
  out << "\n";

  const std::vector<std::int64_t> keys = shown_keys(s, f);
  const std::string some = keys.size() < static_cast<std::size_t>(d.S)
                               ? " (the " + std::to_string(keys.size()) + " keys it weighs most)"
                               : "";
  const std::int64_t row0 = (f.head * d.S + f.query) * d.S;
  out << "3. score    scores " << s.scores.shape().str() << "\n"
      << "   scores = q k^T * scale, scale = 1/sqrt(D) = 1/sqrt(" << d.D
      << ") = " << fixed(s.scale, 6) << "\n"
      << "   scores[0, " << h << ", " << i << ", :]  query " << token << " against every key"
      << some << ":\n";
  print_keyed_row(out, s.scores, row0, keys, f, 4);
  out << "\n";

  const TensorView p = s.weighed.probabilities;
  double lo = INFINITY, hi = -INFINITY;
  for (std::int64_t row = 0; row < d.H * d.S; ++row) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < d.S; ++j) sum += at(p, row * d.S + j);
    lo = std::min(lo, sum), hi = std::max(hi, sum);
  }
  out << "4. weigh    weights " << p.shape().str() << "  heads " << s.weighed.heads.shape().str()
      << "\n"
      << "   weights = softmax(scores) over the keys; each head's output = weights v\n"
      << "   row sums of weights   min " << fixed(lo, 6) << ", max " << fixed(hi, 6) << " over "
      << d.H * d.S << " rows\n"
      << "   weights[0, " << h << ", " << i << ", :] where " << token << " looks" << some << ":\n";
  print_keyed_row(out, p, row0, keys, f, 2);
  out << "   heads" << qi << "  "
      << join(values(s.weighed.heads, (f.head * d.S + f.query) * d.D, 4)) << "\n\n";

  out << "5. concat   concat " << s.concat.shape().str() << "\n"
      << "   the " << d.H << " heads side by side: head " << h << " is dims " << f.head * d.D
      << ".." << (f.head + 1) * d.D - 1 << " of each token\n"
      << "   concat[0, " << i << ", " << f.head * d.D << ":" << f.head * d.D + 4 << "]   "
      << join(values(s.concat, f.query * d.E + f.head * d.D, 4)) << "   (= heads" << qi << ")\n\n";

  out << "6. output   y " << s.y.shape().str() << "\n"
      << "   y = concat Wo^T + bo: every head's part mixed back into " << d.E
      << " numbers per token\n"
      << "   (the layer then adds x and normalizes, and its feed-forward part follows)\n"
      << "   y[0, " << i << ", :4]          " << join(values(s.y, f.query * d.E, 4)) << "\n\n";
}

}  // namespace mha::cli
