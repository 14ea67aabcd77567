// One line per head: which of the patterns known from BERT-style encoders (previous / next token,
// the token itself, [CLS], [SEP], punctuation, one token for everybody) takes most of its weight.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "mha/viz.hpp"

namespace mha::viz {
namespace {

// A pattern holds its head's attention when at least this share of the weight, averaged over the
// queries, goes to it. Below it the head is called broad: 0.4 is well above the 1/S a uniform
// head gives any single key once S > 3, and low enough to name the mixed heads of trained models.
constexpr double kNamedShare = 0.4;

bool is_punctuation(const std::string& token) {
  if (token.empty()) return false;
  for (const char c : token)
    if (!(c > ' ' && c < 0x7F) || std::isalnum(static_cast<unsigned char>(c))) return false;
  return token.front() != '[';  // "[CLS]" has letters anyway; "[" alone is punctuation
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string quoted(const std::string& token) { return "\"" + token + "\""; }

struct Candidate {
  std::string name;
  double sum = 0.0;  // weight summed over the queries where the pattern exists
  int rows = 0;      // those queries
  double mean() const { return rows ? sum / rows : 0.0; }
};

std::string summarize(std::span<const float> w, const std::vector<std::string>& tokens) {
  const auto S = static_cast<int>(tokens.size());
  Candidate prev{"previous token"}, next{"next token"}, self{"itself"};
  Candidate first{"first token " + quoted(tokens.front())};
  Candidate last{"last token " + quoted(tokens.back())}, punct{"punctuation"};
  std::vector<double> column(static_cast<std::size_t>(S), 0.0);
  double entropy = 0.0;
  int rows = 0;
  for (int i = 0; i < S; ++i) {
    const float* row = w.data() + static_cast<std::size_t>(i) * S;
    double total = 0.0;
    for (int j = 0; j < S; ++j) total += std::max(row[j], 0.0f);
    if (total <= 0.0) continue;  // a fully masked query has no pattern
    ++rows;
    const auto p = [&](int j) { return std::max(row[j], 0.0f) / total; };
    if (i > 0) prev.sum += p(i - 1), ++prev.rows;
    if (i + 1 < S) next.sum += p(i + 1), ++next.rows;
    self.sum += p(i), ++self.rows;
    first.sum += p(0), ++first.rows;
    last.sum += p(S - 1), ++last.rows;
    double in_punct = 0.0;
    for (int j = 0; j < S; ++j) {
      const double pj = p(j);
      if (is_punctuation(tokens[static_cast<std::size_t>(j)])) in_punct += pj;
      column[static_cast<std::size_t>(j)] += pj;
      if (pj > 0.0) entropy -= pj * std::log2(pj);
    }
    punct.sum += in_punct, ++punct.rows;
  }
  if (rows == 0) return "no weight: every query is masked";
  entropy /= rows;
  const int top = static_cast<int>(std::max_element(column.begin(), column.end()) - column.begin());
  Candidate one{
      "token " + std::to_string(top) + " " + quoted(tokens[static_cast<std::size_t>(top)]),
      column[static_cast<std::size_t>(top)], rows};

  // Structural patterns first: on a tie, "previous token" says more than the token it lands on.
  const Candidate* best = &prev;
  for (const Candidate* c : {&next, &self, &first, &last, &punct, &one})
    if (c->mean() > best->mean() + 1e-9) best = c;
  const std::string bits =
      fixed(entropy, 1) + " of " + fixed(std::log2(static_cast<double>(S)), 1) + " bits";
  if (best->mean() >= kNamedShare)
    return best->name + " (" + fixed(best->mean(), 2) + " of the weight; entropy " + bits + ")";
  return "broad: entropy " + bits + "; most to " + best->name + " (" + fixed(best->mean(), 2) + ")";
}

}  // namespace

std::vector<std::string> summarize_heads(const AttentionMaps& maps) {
  validate(maps);
  std::vector<std::string> lines;
  lines.reserve(static_cast<std::size_t>(maps.layers) * maps.heads);
  for (int l = 0; l < maps.layers; ++l)
    for (int h = 0; h < maps.heads; ++h)
      lines.push_back(summarize(maps.head_map(l, h), maps.tokens));
  return lines;
}

}  // namespace mha::viz
