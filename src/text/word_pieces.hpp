#pragma once
// Greedy longest-match-first WordPiece segmentation of one word.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "text/normalizer.hpp"
#include "text/vocab.hpp"

namespace mha::text {

// A token of the word: its id and the normalized characters [first, last) it covers.
struct Piece {
  std::int32_t id;
  std::size_t first, last;
};

// Reusable buffers for segment_word.
struct WordScratch {
  std::string bytes;               // the word in UTF-8
  std::vector<std::size_t> start;  // byte offset of each character, and the end
};

// Appends the pieces of `word` (normalized characters) to `out`: the longest vocabulary entry
// that starts the word, then the longest "##" entry that continues it, and so on. When some rest
// has no entry, or the word has more than max_chars characters, the whole word is one [UNK].
void segment_word(std::span<const NormalizedChar> word, const Vocab& vocab, std::size_t max_chars,
                  std::vector<Piece>& out, WordScratch& scratch);

}  // namespace mha::text
