#include "corpus.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "text/utf8.hpp"

namespace mha::test {
namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace

std::string text_data_dir() { return std::string(MHA_SOURCE_DIR) + "/tests/text"; }

std::string unescape(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '\\') {
      out.push_back(line[i]);
      continue;
    }
    if (i + 1 >= line.size()) throw std::runtime_error("a lone backslash ends the line");
    const char e = line[++i];
    if (e == '\\') {
      out.push_back('\\');
    } else if (e == 't') {
      out.push_back('\t');
    } else if (e == 'n') {
      out.push_back('\n');
    } else if (e == 'r') {
      out.push_back('\r');
    } else if (e == 'u' && i + 1 < line.size() && line[i + 1] == '{') {
      const std::size_t close = line.find('}', i);
      if (close == std::string_view::npos) throw std::runtime_error("unterminated \\u{");
      const std::string hex(line.substr(i + 2, close - i - 2));
      text::append_utf8(out, static_cast<char32_t>(std::stoul(hex, nullptr, 16)));
      i = close;
    } else {
      throw std::runtime_error(std::string("unknown escape \\") + e);
    }
  }
  return out;
}

std::vector<std::string> read_corpus(const std::string& path) {
  std::vector<std::string> cases;
  for (const std::string& line : lines_of(path))
    if (!line.starts_with('#')) cases.push_back(unescape(line));
  return cases;
}

Golden read_golden(const std::string& path) {
  Golden golden;
  for (const std::string& line : lines_of(path)) {
    if (line.empty() || line.starts_with('#')) continue;
    // "<kind> <line>\t<ids>\t<offsets>" or "d <line>\t<text>"
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos || line.size() < 3)
      throw std::runtime_error("bad golden line: " + line);
    const char kind = line[0];
    const std::size_t index = std::stoul(line.substr(2, tab - 2));
    GoldenRecord& r = golden[kind][index];
    if (kind == 'd') {
      r.text = unescape(line.substr(tab + 1));
      continue;
    }
    const std::size_t tab2 = line.find('\t', tab + 1);
    for (const std::string& id : split(line.substr(tab + 1, tab2 - tab - 1), ' '))
      r.ids.push_back(std::stoll(id));
    for (const std::string& o : split(line.substr(tab2 + 1), ' ')) {
      const std::size_t colon = o.find(':');
      r.offsets.push_back({std::stoul(o.substr(0, colon)), std::stoul(o.substr(colon + 1))});
    }
  }
  return golden;
}

}  // namespace mha::test
