// Measuring what each head attends to (head_focus.hpp).
#include "head_focus.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace mha::cli {
namespace {

// A positional pattern (previous / next token, itself) names the head when it takes at least
// this share: 0.4 is the threshold mha::viz::summarize_heads uses, well above the 1/S a
// uniform head gives one key.
constexpr double kPositional = 0.4;
// A head whose content tokens send at least this much to [CLS]/[SEP] is mostly idle on this
// sentence (BERT's heads rest there; Clark et al. 2019, "What does BERT look at?").
constexpr double kResting = 0.6;
// A head whose two most attended words take at least this share focuses on them: twice the
// 2/S that two words get from a uniform head at the default sentence's S = 12, and above what
// any previous-token or broad head of all-MiniLM-L6-v2 gives its top two words there.
constexpr double kFocused = 0.3;

bool is_special(const std::string& token) { return token == "[CLS]" || token == "[SEP]"; }

std::string num(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Pads to `width` columns, counting UTF-8 code points (tokens are short; CJK may misalign).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t cols = 0;
  for (const char c : s) cols += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

// At most `cols` code points of a token, with "…" when cut.
std::string cut(const std::string& s, std::size_t cols) {
  std::size_t n = 0, i = 0;
  for (; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && n++ == cols) break;
  return i < s.size() ? s.substr(0, i) + "\xe2\x80\xa6" : s;
}

HeadFocus measure(const viz::AttentionMaps& maps, int layer, int head) {
  const std::span<const float> w = maps.head_map(layer, head);
  const auto S = static_cast<std::size_t>(maps.seq_len());
  std::vector<std::size_t> queries;
  for (std::size_t i = 0; i < S; ++i)
    if (!is_special(maps.tokens[i])) queries.push_back(i);
  if (queries.empty())  // nothing but [CLS] [SEP]: every query then
    for (std::size_t i = 0; i < S; ++i) queries.push_back(i);

  HeadFocus f;
  f.layer = layer;
  f.head = head;
  std::vector<double> received(S, 0.0);  // by key position
  for (const std::size_t i : queries) {
    const float* row = w.data() + i * S;
    if (i > 0) f.previous += row[i - 1];
    if (i + 1 < S) f.next += row[i + 1];
    f.self += row[i];
    for (std::size_t j = 0; j < S; ++j) received[j] += row[j];
  }
  const auto n = static_cast<double>(queries.size());
  f.previous /= n, f.next /= n, f.self /= n;
  for (std::size_t j = 0; j < S; ++j)
    if (is_special(maps.tokens[j]))
      f.special += received[j] / n;
    else
      f.words.emplace_back(maps.tokens[j], received[j] / n);
  std::stable_sort(f.words.begin(), f.words.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });

  const double positional = std::max({f.previous, f.next, f.self});
  if (positional >= kPositional)
    f.kind = positional == f.previous ? "previous token"
             : positional == f.next   ? "next token"
                                      : "itself";
  else if (f.special >= kResting)
    f.kind = "[CLS]/[SEP]";
  else if (f.focus() >= kFocused)
    f.kind = "words";
  else
    f.kind = "broad";
  return f;
}

}  // namespace

double HeadFocus::focus() const {
  double s = 0.0;
  for (std::size_t k = 0; k < std::min<std::size_t>(2, words.size()); ++k) s += words[k].second;
  return s;
}

std::vector<HeadFocus> measure_heads(const viz::AttentionMaps& maps) {
  viz::validate(maps);
  std::vector<HeadFocus> out;
  for (int l = 0; l < maps.layers; ++l)
    for (int h = 0; h < maps.heads; ++h) out.push_back(measure(maps, l, h));
  return out;
}

std::string summary_line(const HeadFocus& f) {
  std::string s = f.kind + ":";
  for (std::size_t k = 0; k < std::min<std::size_t>(3, f.words.size()); ++k)
    s += (k ? ", " : " ") + f.words[k].first + " " + num(f.words[k].second);
  return s + " \xc2\xb7 [CLS]/[SEP] " + num(f.special) + " \xc2\xb7 previous " + num(f.previous) +
         ", next " + num(f.next) + ", itself " + num(f.self);
}

std::string heads_table(const std::vector<HeadFocus>& heads) {
  std::ostringstream out;
  out << "  " << pad("head", 7) << pad("pattern", 16) << pad("most attended words", 42)
      << "[CLS]/[SEP]  prev  next  self\n";
  for (const HeadFocus& f : heads) {
    std::string words;
    for (std::size_t k = 0; k < std::min<std::size_t>(3, f.words.size()); ++k)
      words += pad(cut(f.words[k].first, 8) + " " + num(f.words[k].second), 14);
    out << "  " << pad(std::to_string(f.layer) + "." + std::to_string(f.head), 7) << pad(f.kind, 16)
        << pad(words, 42) << "       " << num(f.special) << "  " << num(f.previous) << "  "
        << num(f.next) << "  " << num(f.self) << "\n";
  }
  return out.str();
}

std::string word_heads(const std::vector<HeadFocus>& heads, std::size_t count) {
  std::vector<const HeadFocus*> picked;
  for (const HeadFocus& f : heads)
    if (f.kind == "words" && f.words.size() >= 2) picked.push_back(&f);
  std::stable_sort(picked.begin(), picked.end(),
                   [](const HeadFocus* a, const HeadFocus* b) { return a->focus() > b->focus(); });
  if (picked.size() > count) picked.resize(count);
  std::string s;
  for (const HeadFocus* f : picked) {
    s += "  layer " + std::to_string(f->layer) + " head " + std::to_string(f->head) + ":";
    // The words that hold this head's focus: the first, and up to two more that get at least
    // a third of what the first gets.
    for (std::size_t k = 0; k < std::min<std::size_t>(3, f->words.size()); ++k)
      if (k == 0 || f->words[k].second >= f->words[0].second / 3)
        s += (k ? ", " : " ") + f->words[k].first + " (" + num(f->words[k].second) + ")";
    s += "\n";
  }
  return s;
}

}  // namespace mha::cli
