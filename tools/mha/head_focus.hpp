#pragma once
// What each head of a real model attends to, measured: for every layer and head, where the
// attention of the sentence's own tokens goes — to particular words, to the previous or next
// token, to itself, or to [CLS]/[SEP] (where BERT heads park attention they do not need).
//
// mha::viz::summarize_heads names the single pattern that takes most weight over all queries;
// in a trained BERT that is [CLS] or [SEP] for most heads, which hides the words a head cares
// about. This view sets [CLS] and [SEP] aside as queries, reports their share as keys
// separately, and ranks the other keys ("words": every token but [CLS] and [SEP], punctuation
// included; each position on its own: the two "the" of a sentence are two keys).
#include <string>
#include <utility>
#include <vector>

#include "mha/viz.hpp"

namespace mha::cli {

struct HeadFocus {
  int layer = 0, head = 0;
  // "previous token", "next token", "itself", "[CLS]/[SEP]", "words" or "broad" (see the
  // thresholds in head_focus.cpp).
  std::string kind;
  // Every word (by position) as a key, most attended first: (token, mean weight it receives).
  std::vector<std::pair<std::string, double>> words;
  double special = 0.0;                           // mean weight on [CLS] and [SEP]
  double previous = 0.0, next = 0.0, self = 0.0;  // mean weight on i − 1, i + 1, i
  // The share of the two most attended words: how focused the head is on particular words.
  double focus() const;
};

// One entry per head, index layer · heads + head.
std::vector<HeadFocus> measure_heads(const viz::AttentionMaps& maps);

// One line for the HTML page, e.g.
//   "words: fox 0.34, dog 0.24, brown 0.02 · [CLS]/[SEP] 0.31 · previous 0.06, next 0.05, itself
//   0.11"
std::string summary_line(const HeadFocus& f);

// The table `mha explain` prints: a header and one row per head.
std::string heads_table(const std::vector<HeadFocus>& heads);

// The heads that look at particular words ("words" heads), most focused first, at most `count`,
// one line each with the words that get at least a third of the top word's share:
//   "layer 5 head 11: fox (0.34), dog (0.24)"
std::string word_heads(const std::vector<HeadFocus>& heads, std::size_t count);

}  // namespace mha::cli
