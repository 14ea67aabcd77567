#include "viz/escape.hpp"

#include <cmath>
#include <cstdio>

#include "viz/utf8.hpp"

namespace mha::viz::detail {
namespace {

void append_u_escape(std::string& out, unsigned unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit & 0xFFFFu);
  out += buf;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = next_code_point(s, i);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c >= 0x7F) {
      if (c >= 0x10000) {  // UTF-16 surrogate pair, as JSON (RFC 8259) spells astral characters
        const char32_t v = c - 0x10000;
        append_u_escape(out, 0xD800 + static_cast<unsigned>(v >> 10));
        append_u_escape(out, 0xDC00 + static_cast<unsigned>(v & 0x3FF));
      } else {
        append_u_escape(out, static_cast<unsigned>(c));
      }
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

void append_json_number(std::string& out, double v, int digits) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  out += buf;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = next_code_point(s, i);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows tab, LF and CR among the controls; a label has no use for them either.
        append_utf8(out, is_control(c) || c == 0xFFFE || c == 0xFFFF ? kReplacement : c);
    }
  }
  return out;
}

}  // namespace mha::viz::detail
