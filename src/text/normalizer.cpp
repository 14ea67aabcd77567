#include "text/normalizer.hpp"

#include <algorithm>

#include "text/unicode.hpp"

namespace mha::text {
namespace {

// Steps 1 and 2: drop what cleaning removes, map whitespace to ' ', put spaces around CJK
// ideographs. Each character keeps its own bytes; the spaces around an ideograph take its bytes
// (they never end up in a token).
void clean(std::span<const DecodedChar> in, std::vector<DecodedChar>& out) {
  out.clear();
  for (const DecodedChar& c : in) {
    if (c.cp == 0 || c.cp == 0xFFFD || is_control(c.cp)) continue;
    if (is_whitespace(c.cp)) {
      out.push_back({U' ', c.begin, c.end});
    } else if (is_cjk_ideograph(c.cp)) {
      out.push_back({U' ', c.begin, c.end});
      out.push_back(c);
      out.push_back({U' ', c.begin, c.end});
    } else {
      out.push_back(c);
    }
  }
}

// Step 3 and 4 for the decomposed characters in the order NFD puts them. The reference assigns
// the bytes by position, not by character: the k-th character that starts a decomposition takes
// the bytes of the k-th cleaned character, and the other characters of a decomposition take the
// bytes of the one before them. After canonical reordering these can be another character's
// bytes, and its offsets show it, so the same rule is kept here.
struct Emitter {
  std::span<const DecodedChar> cleaned;
  std::vector<NormalizedChar>& out;
  std::size_t consumed = 0;

  void emit(char32_t cp, bool added) {
    std::size_t begin = 0, end = 0;
    if (!added) {
      begin = cleaned[consumed].begin;
      end = cleaned[consumed].end;
      ++consumed;
    } else if (consumed > 0) {
      begin = cleaned[consumed - 1].begin;
      end = cleaned[consumed - 1].end;
    }
    if (is_nonspacing_mark(cp)) return;  // accents are stripped after decomposition
    out.push_back({to_lower(cp), begin, end});
  }
};

}  // namespace

void normalize(std::span<const DecodedChar> in, std::vector<NormalizedChar>& out,
               NormalizerScratch& scratch) {
  clean(in, scratch.cleaned);
  Emitter emitter{scratch.cleaned, out};
  auto& run = scratch.run;  // marks with a non-zero combining class, not yet in canonical order
  const auto flush = [&] {
    std::stable_sort(run.begin(), run.end(),
                     [](const auto& a, const auto& b) { return a.ccc < b.ccc; });
    for (const auto& m : run) emitter.emit(m.cp, m.added);
    run.clear();
  };
  char32_t parts[kMaxDecomposition];
  for (const DecodedChar& c : scratch.cleaned) {
    const std::size_t n = decompose(c.cp, parts);
    for (std::size_t k = 0; k < n; ++k) {
      const int ccc = combining_class(parts[k]);
      if (ccc == 0) {
        flush();
        emitter.emit(parts[k], k > 0);
      } else {
        run.push_back({parts[k], ccc, k > 0});
      }
    }
  }
  flush();
}

}  // namespace mha::text
