#pragma once
// The code points where the reference tokenizer's Unicode data differs from utf8proc's. The
// tables are generated (unicode_reference.cpp, by scripts/gen_tokenizer_golden.py --fixups);
// unicode.cpp applies them on top of utf8proc.
#include <span>

namespace mha::text::reference {

struct CodePointRange {
  char32_t first, last;  // inclusive
};

struct CodePointPair {
  char32_t from, to;
};

struct Fixups {
  std::span<const CodePointRange> mark_extra, mark_missing;    // Mn
  std::span<const CodePointRange> other_extra, other_missing;  // Cc, Cf, Co
  std::span<const CodePointRange> punctuation_extra, punctuation_missing;
  std::span<const CodePointRange> no_decomposition;
  std::span<const CodePointPair> lowercase, combining_class;  // sorted by `from`
  const char* unicode_version;  // utf8proc's, when the tables were generated
};

const Fixups& fixups();

}  // namespace mha::text::reference
