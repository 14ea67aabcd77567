// Deterministic embeddings and weights for the toy model of `mha explain`.
#include "toy_model.hpp"

#include <cmath>
#include <cstddef>

namespace mha::cli {
namespace {

// FNV-1a: a small, well-known string hash; stable across platforms, unlike std::hash.
std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// SplitMix64: turns a counter into well-mixed bits, so element i of a token's vector depends
// only on (seed, token, i).
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform in [-sqrt(3), sqrt(3)): mean 0, variance 1, like a freshly initialized embedding.
double unit_variance_uniform(std::uint64_t bits) {
  const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;  // [0, 1)
  return (2.0 * u - 1.0) * std::sqrt(3.0);
}

}  // namespace

Tensor toy_embeddings(const std::vector<std::string>& tokens, const ToyModelConfig& config) {
  const auto S = static_cast<std::int64_t>(tokens.size());
  const std::int64_t E = config.embed_dim;
  Tensor x(DType::f32, Shape{1, S, E});  // [1, S, E]
  float* p = x.data_as<float>();
  for (std::int64_t s = 0; s < S; ++s) {
    const std::uint64_t token_seed =
        splitmix64(config.seed ^ fnv1a(tokens[static_cast<std::size_t>(s)]));
    for (std::int64_t e = 0; e < E; ++e) {
      const double word =
          unit_variance_uniform(splitmix64(token_seed + static_cast<std::uint64_t>(e)));
      // Position: sin on even, cos on odd dimensions, wavelengths growing geometrically.
      const double freq =
          std::pow(10000.0, -static_cast<double>(e - e % 2) / static_cast<double>(E));
      const double angle = static_cast<double>(s) * freq;
      const double position = e % 2 == 0 ? std::sin(angle) : std::cos(angle);
      p[s * E + e] = static_cast<float>(word + position);
    }
  }
  return x;
}

MultiHeadAttention toy_attention(const ToyModelConfig& config) {
  MultiHeadAttentionOptions o;
  o.embed_dim = config.embed_dim;
  o.num_heads = config.num_heads;
  o.batch_first = true;
  o.seed = config.seed;
  return MultiHeadAttention(o);
}

}  // namespace mha::cli
