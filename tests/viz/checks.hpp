#pragma once
// Checks for the viz tests, written independently of the code under test: UTF-8 validity and XML
// well-formedness (the subset an SVG writer produces: declaration, elements, attributes, text,
// character and entity references; no DTD, CDATA or processing instructions beyond <?xml?>).
#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mha::viz::test {

// "" when s is well-formed UTF-8 (RFC 3629), else where and why not.
inline std::string utf8_problem(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    int n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return "bad lead byte at " + std::to_string(i);
    unsigned long c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return "bad continuation at " + std::to_string(i + k);
      c = (c << 6) | (t & 0x3F);
    }
    const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
      return "overlong, surrogate or out of range at " + std::to_string(i);
    i += static_cast<std::size_t>(n);
  }
  return "";
}

// "" when doc is a well-formed XML document (of the subset above), else the first problem.
// Also returns the root element's name through *root.
inline std::string xml_problem(std::string_view doc, std::string* root = nullptr) {
  if (std::string u = utf8_problem(doc); !u.empty()) return u;
  std::size_t i = 0;
  const auto fail = [&](const std::string& why) { return why + " at offset " + std::to_string(i); };
  const auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' ||
           c == '.';
  };
  const auto check_refs = [&](std::string_view text) -> std::string {
    for (std::size_t k = 0; k < text.size(); ++k) {
      if (text[k] == '<') return "raw '<' in text or attribute";
      if (text[k] != '&') continue;
      const std::size_t end = text.find(';', k);
      if (end == std::string_view::npos) return "unterminated reference";
      const std::string_view ref = text.substr(k + 1, end - k - 1);
      const bool named =
          ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
      const bool numeric = ref.size() > 1 && ref[0] == '#';
      if (!named && !numeric) return "unknown entity &" + std::string(ref) + ";";
      k = end;
    }
    return "";
  };
  if (doc.substr(0, 5) == "<?xml") {
    i = doc.find("?>");
    if (i == std::string_view::npos) return "unterminated XML declaration";
    i += 2;
  }
  std::vector<std::string> open;
  bool seen_root = false;
  while (i < doc.size()) {
    const std::size_t lt = doc.find('<', i);
    const std::string_view text = doc.substr(i, lt == std::string_view::npos ? doc.npos : lt - i);
    if (open.empty() && text.find_first_not_of(" \t\r\n") != std::string_view::npos)
      return fail("text outside the root element");
    if (std::string p = check_refs(text); !p.empty()) return fail(p);
    if (lt == std::string_view::npos) break;
    i = lt + 1;
    if (doc.substr(i, 3) == "!--") {
      const std::size_t end = doc.find("-->", i);
      if (end == std::string_view::npos) return fail("unterminated comment");
      i = end + 3;
      continue;
    }
    const bool closing = i < doc.size() && doc[i] == '/';
    if (closing) ++i;
    std::size_t start = i;
    while (i < doc.size() && is_name(doc[i])) ++i;
    const std::string name(doc.substr(start, i - start));
    if (name.empty()) return fail("empty element name");
    if (closing) {
      if (open.empty() || open.back() != name)
        return fail("</" + name + "> does not close an open element");
      open.pop_back();
      if (i >= doc.size() || doc[i] != '>') return fail("junk in a closing tag");
      ++i;
      continue;
    }
    if (open.empty() && seen_root) return fail("a second root element");
    if (open.empty() && root) *root = name;
    seen_root = true;
    std::vector<std::string> attrs;
    for (;;) {
      while (i < doc.size() && std::isspace(static_cast<unsigned char>(doc[i]))) ++i;
      if (i >= doc.size()) return fail("unterminated tag <" + name);
      if (doc[i] == '>' || doc.substr(i, 2) == "/>") break;
      start = i;
      while (i < doc.size() && is_name(doc[i])) ++i;
      const std::string attr(doc.substr(start, i - start));
      if (attr.empty() || i >= doc.size() || doc[i] != '=')
        return fail("attribute without '=' in <" + name);
      for (const std::string& a : attrs)
        if (a == attr) return fail("attribute " + attr + " repeated in <" + name);
      attrs.push_back(attr);
      ++i;
      if (i >= doc.size() || (doc[i] != '"' && doc[i] != '\''))
        return fail("unquoted attribute " + attr);
      const char quote = doc[i++];
      const std::size_t end = doc.find(quote, i);
      if (end == std::string_view::npos) return fail("unterminated attribute " + attr);
      if (std::string p = check_refs(doc.substr(i, end - i)); !p.empty()) return fail(p);
      i = end + 1;
    }
    if (doc[i] == '/') {
      i += 2;  // empty element
    } else {
      ++i;
      open.push_back(name);
    }
  }
  if (!open.empty()) return "element <" + open.back() + "> is never closed";
  if (!seen_root) return "no root element";
  return "";
}

}  // namespace mha::viz::test
