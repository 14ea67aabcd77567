#pragma once
// Readers of tests/text data: the corpus (escaped lines) and the golden records.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mha/tokenizer.hpp"

namespace mha::test {

// The directory of tests/text in the source tree.
std::string text_data_dir();

// The escape rules of corpus.txt: \\ \t \n \r and \u{HEX}. Throws std::runtime_error on a bad
// escape.
std::string unescape(std::string_view line);

// corpus.txt's cases, in order (comment lines skipped).
std::vector<std::string> read_corpus(const std::string& path);

// One record of golden.txt.
struct GoldenRecord {
  std::vector<std::int64_t> ids;
  std::vector<TokenOffsets> offsets;
  std::string text;  // kind 'd': the decoded text
};

// golden.txt: kind ('p', 't', 'n', 'd') -> corpus line -> record.
using Golden = std::map<char, std::map<std::size_t, GoldenRecord>>;
Golden read_golden(const std::string& path);

}  // namespace mha::test
