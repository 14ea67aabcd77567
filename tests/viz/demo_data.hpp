#pragma once
// Attention maps to look at before the pretrained model arrives, for the demo and the tests.
#include <cstdint>
#include <string>
#include <vector>

#include "mha/viz.hpp"

namespace mha::viz::demo {

// "[CLS] the quick brown fox jumps over the lazy dog . [SEP]": BERT WordPiece tokens.
std::vector<std::string> fox_tokens();

// A toy encoder of `layers` mha::MultiHeadAttention layers (E = 32·heads, random weights from
// fixed seeds): x ← LayerNorm(x + attention(gain · x)), starting from hashed token vectors plus
// sinusoidal positions. The per-head weights are real MultiHeadAttention output; what they attend
// to means nothing. The six steps are layer 0's, computed by mha::reference's step functions.
AttentionMaps toy_encoder(const std::vector<std::string>& tokens, int layers = 6, int heads = 12);

// Synthetic maps with known patterns: head (l·heads + h) % 7 attends to the previous token, the
// next token, itself, the first token, the last token, punctuation, or broadly (random rows).
AttentionMaps patterns(const std::vector<std::string>& tokens, int layers = 6, int heads = 12,
                       std::uint64_t seed = 1);

// Tokens that try to break out of every format: markup, quotes, a closing script tag, an HTML
// comment, an escape sequence, combining and wide characters, emoji, ill-formed UTF-8.
std::vector<std::string> hostile_tokens();

}  // namespace mha::viz::demo
