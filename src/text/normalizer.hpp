#pragma once
// BERT's normalizer (clean, space CJK, NFD, strip accents, lower case), keeping for every output
// character the input bytes it stands for, the way the reference's offsets need them.
#include <cstddef>
#include <span>
#include <vector>

#include "text/utf8.hpp"

namespace mha::text {

// A character of the normalized text and the input bytes [begin, end) it maps back to.
struct NormalizedChar {
  char32_t cp;
  std::size_t begin, end;
};

// Reusable buffers (normalize is called per segment; keeping them avoids allocations).
struct NormalizerScratch {
  std::vector<DecodedChar> cleaned;
  struct Mark {
    char32_t cp;
    int ccc;
    bool added;
  };
  std::vector<Mark> run;
};

// Appends the normalized form of `in` (one segment: the text between special tokens) to `out`.
void normalize(std::span<const DecodedChar> in, std::vector<NormalizedChar>& out,
               NormalizerScratch& scratch);

}  // namespace mha::text
