#pragma once
// Text as the subcommands receive it: command-line arguments, a file or stdin, checked to be
// UTF-8 before anything else sees it, with messages that say where the bad byte is.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::cli {

// The byte offset of the first sequence that is not well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or nullopt when the whole text is valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// "not valid UTF-8 (byte 0xff at offset 3)", or "" when the text is valid.
std::string utf8_problem(std::string_view text);

// True when the text holds nothing but ASCII whitespace.
bool is_blank(std::string_view text);

// One sentence per line of a file, or of stdin when path is "-". Lines end with LF or CRLF;
// blank lines are skipped (and counted), so that a trailing newline or a blank separator line
// does not become an empty sentence. Throws mha::Error naming the file and the line for invalid
// UTF-8, and when the file cannot be read.
struct Lines {
  std::vector<std::string> text;
  std::size_t blank = 0;  // lines skipped
};
Lines read_lines(const std::string& path);

// How a file is named in messages: "stdin" for "-", else the path.
std::string input_name(const std::string& path);

}  // namespace mha::cli
