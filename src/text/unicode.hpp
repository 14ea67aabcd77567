#pragma once
// The character rules of BERT's tokenizer, with the Unicode data of the reference (the
// `tokenizers` library): utf8proc for categories, decompositions, combining classes and case,
// corrected where the reference's older or newer tables say otherwise (unicode_reference.cpp).
#include <cstddef>

namespace mha::text {

// Removed by cleaning: control (Cc), format (Cf) and private-use (Co) characters, except tab,
// line feed and carriage return, which are whitespace. (NUL and U+FFFD are removed too; the
// normalizer checks those itself.)
bool is_control(char32_t cp);
// The White_Space property, as Rust's char::is_whitespace has it.
bool is_whitespace(char32_t cp);
// A CJK ideograph: the blocks BERT puts spaces around.
bool is_cjk_ideograph(char32_t cp);
// Split off as a word of its own: Unicode P* or non-alphanumeric ASCII.
bool is_punctuation(char32_t cp);
// Nonspacing mark (Mn): stripped after decomposition.
bool is_nonspacing_mark(char32_t cp);
// The canonical combining class, which orders marks in the decomposition.
int combining_class(char32_t cp);
// The full canonical decomposition of cp into out (at most kMaxDecomposition code points);
// returns the count (1 and out[0] == cp when cp does not decompose).
inline constexpr std::size_t kMaxDecomposition = 8;
std::size_t decompose(char32_t cp, char32_t* out);
// The simple lower-case mapping.
char32_t to_lower(char32_t cp);
// utf8proc's Unicode version, and the one the reference tables were generated against.
const char* utf8proc_unicode_version();
const char* fixups_unicode_version();

}  // namespace mha::text
