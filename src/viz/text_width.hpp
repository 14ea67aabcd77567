#pragma once
// Rough text widths for laying out labels where no font can be measured (SVG written ahead of
// time, the terminal): a column count per code point, as a terminal would draw it.
#include <string_view>

#include "viz/utf8.hpp"

namespace mha::viz::detail {

inline int columns(std::string_view s) {
  int n = 0;
  for (std::size_t i = 0; i < s.size();) n += display_width(next_code_point(s, i));
  return n;
}

}  // namespace mha::viz::detail
