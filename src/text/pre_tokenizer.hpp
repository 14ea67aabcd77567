#pragma once
// BERT's pre-tokenizer: normalized text into words.
#include <cstddef>
#include <span>
#include <vector>

#include "text/normalizer.hpp"

namespace mha::text {

// A word: the normalized characters [first, last).
struct WordRange {
  std::size_t first, last;
};

// Splits at whitespace (dropped) and around each punctuation character (a word of its own).
void split_words(std::span<const NormalizedChar> chars, std::vector<WordRange>& out);

}  // namespace mha::text
