#pragma once
// The toy model of `mha explain`: deterministic stand-ins for a trained model, so that the six
// steps run on real shapes and real numbers before the pretrained all-MiniLM-L6-v2 arrives.
//
// Nothing here is learned: a token's vector comes from a hash of its text, the attention weights
// from a fixed seed. The same sentence always gives the same numbers, on every machine.
#include <cstdint>
#include <string>
#include <vector>

#include "mha/module.hpp"
#include "mha/tensor.hpp"

namespace mha::cli {

struct ToyModelConfig {
  std::int64_t embed_dim = 32;    // E: small enough to print, divisible by num_heads
  std::int64_t num_heads = 4;     // H: head size D = E / H = 8
  std::uint64_t seed = 20240611;  // the weights and the token vectors
  std::int64_t max_tokens = 512;  // as many positions as all-MiniLM-L6-v2 takes
};

// Step 1's input x [1, S, E] (f32): for each token, a vector drawn from a stream seeded by the
// hash of its text (unit variance, so the same word always gets the same vector), plus the
// sinusoidal position encoding of "Attention Is All You Need" (so repeated words still differ).
Tensor toy_embeddings(const std::vector<std::string>& tokens, const ToyModelConfig& config);

// The attention layer: batch_first, E and H from the config, weights initialized from the seed.
// Returned by value through guaranteed copy elision (the module is neither copied nor moved).
MultiHeadAttention toy_attention(const ToyModelConfig& config);

}  // namespace mha::cli
