#include "text/unicode.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <span>

#include "text/unicode_reference.hpp"

namespace mha::text {
namespace {

using reference::CodePointPair;
using reference::CodePointRange;
using reference::fixups;

bool in(std::span<const CodePointRange> ranges, char32_t cp) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                             [](char32_t c, const CodePointRange& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}

const CodePointPair* find(std::span<const CodePointPair> pairs, char32_t cp) {
  auto it = std::lower_bound(pairs.begin(), pairs.end(), cp,
                             [](const CodePointPair& p, char32_t c) { return p.from < c; });
  return it != pairs.end() && it->from == cp ? &*it : nullptr;
}

utf8proc_category_t category(char32_t cp) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}

bool is_ascii_punctuation(char32_t cp) {
  return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
         (cp >= 123 && cp <= 126);
}

}  // namespace

bool is_control(char32_t cp) {
  if (cp < 0x80) return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F;
  const auto c = category(cp);
  if (c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO)
    return !in(fixups().other_missing, cp);
  return in(fixups().other_extra, cp);
}

bool is_whitespace(char32_t cp) {
  // White_Space has been this list since Unicode 6.3; utf8proc has no such property.
  switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_cjk_ideograph(char32_t cp) {
  // BERT's list. It skips U+2B820..U+2B91F (the reference has 0x2B920 where the original
  // BERT code has 0x2B820): followed as the reference has it.
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

bool is_punctuation(char32_t cp) {
  if (cp < 0x80) return is_ascii_punctuation(cp);
  const auto c = category(cp);
  if (c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO)
    return !in(fixups().punctuation_missing, cp);
  return in(fixups().punctuation_extra, cp);
}

bool is_nonspacing_mark(char32_t cp) {
  if (cp < 0x300) return false;  // the first mark is U+0300
  if (category(cp) == UTF8PROC_CATEGORY_MN) return !in(fixups().mark_missing, cp);
  return in(fixups().mark_extra, cp);
}

int combining_class(char32_t cp) {
  if (cp < 0x300) return 0;
  if (const CodePointPair* p = find(fixups().combining_class, cp)) return static_cast<int>(p->to);
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(cp))->combining_class;
}

std::size_t decompose(char32_t cp, char32_t* out) {
  // Nothing below U+00C0 decomposes canonically.
  if (cp < 0xC0 || in(fixups().no_decomposition, cp)) {
    out[0] = cp;
    return 1;
  }
  utf8proc_int32_t buf[kMaxDecomposition];
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), buf, kMaxDecomposition, UTF8PROC_DECOMPOSE, &boundclass);
  // Canonical decompositions are at most 4 long; anything else would be a utf8proc failure:
  // keep the character rather than read past the buffer.
  if (n < 1 || n > static_cast<utf8proc_ssize_t>(kMaxDecomposition)) {
    out[0] = cp;
    return 1;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) out[i] = static_cast<char32_t>(buf[i]);
  return static_cast<std::size_t>(n);
}

char32_t to_lower(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  if (const CodePointPair* p = find(fixups().lowercase, cp)) return p->to;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
}

const char* utf8proc_unicode_version() { return ::utf8proc_unicode_version(); }
const char* fixups_unicode_version() { return fixups().unicode_version; }

}  // namespace mha::text
