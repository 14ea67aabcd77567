// UTF-8 checks and line reading for the subcommands' text input.
#include "text_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "mha/error.hpp"

namespace mha::cli {
namespace {

bool in(unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; }

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    // The lead byte fixes the length and the range of the first continuation byte: the narrow
    // ranges after E0, ED, F0 and F4 exclude overlong forms, surrogates and values > U+10FFFF.
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xbf;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (in(c, 0xc2, 0xdf)) {
      len = 2;
    } else if (in(c, 0xe0, 0xef)) {
      len = 3;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (in(c, 0xf0, 0xf4)) {
      len = 4;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;  // 80..C1 (continuation or overlong lead) or F5..FF
    }
    if (i + len > n) return i;
    if (!in(s[i + 1], lo, hi)) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (!in(s[i + k], 0x80, 0xbf)) return i;
    i += len;
  }
  return std::nullopt;
}

std::string utf8_problem(std::string_view text) {
  const auto bad = find_invalid_utf8(text);
  if (!bad) return "";
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
  return "not valid UTF-8 (byte " + std::string(byte) + " at offset " + std::to_string(*bad) + ")";
}

bool is_blank(std::string_view text) {
  for (const char c : text)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
  return true;
}

std::string input_name(const std::string& path) { return path == "-" ? "stdin" : path; }

Lines read_lines(const std::string& path) {
  std::string all;
  if (path == "-") {
    all.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw Error("stdin: cannot read");
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
    all.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw Error(path + ": cannot read");
  }
  Lines lines;
  std::size_t start = 0, number = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    ++number;
    std::string_view line(all.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const std::string bad = utf8_problem(line); !bad.empty())
      throw Error(input_name(path) + ", line " + std::to_string(number) + ": " + bad);
    if (is_blank(line))
      ++lines.blank;
    else
      lines.text.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace mha::cli
