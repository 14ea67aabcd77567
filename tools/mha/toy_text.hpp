#pragma once
// Text handling for the toy model of `mha explain`: UTF-8 validation and a toy tokenizer.
//
// The real model (all-MiniLM-L6-v2, to come) brings BERT's WordPiece tokenizer with Unicode
// normalization; this one only has to be deterministic and easy to follow.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mha::cli {

// The byte offset of the first sequence that is not well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or nullopt when the whole text is valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// Lower-cases ASCII letters and splits into words and punctuation: a run of letters, digits and
// non-ASCII characters is one token, each ASCII punctuation mark is a token of its own, and
// whitespace and control characters separate. "Don't stop!" → don, ', t, stop, !
// Expects valid UTF-8 (non-ASCII bytes are kept whole inside words, never split).
std::vector<std::string> toy_tokenize(std::string_view text);

}  // namespace mha::cli
