// A downstream program: only mha's public headers and the mha::mha target. It runs the attention
// core and the module once each and checks results that hold by construction, then against the
// reference. Exit code 0 = every check passed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "mha/attention.hpp"
#include "mha/module.hpp"
#include "mha/reference.hpp"
#include "mha/version.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

// Deterministic, non-constant values.
void fill(mha::Tensor& t, double phase) {
  float* p = t.data_as<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + phase));
}

double max_abs_diff(const mha::Tensor& a, const mha::Tensor& b) {
  const mha::Tensor a64 = mha::Tensor::copy_of(a, mha::DType::f64),
                    b64 = mha::Tensor::copy_of(b, mha::DType::f64);
  double m = 0;
  for (std::int64_t i = 0; i < a64.numel(); ++i)
    m = std::fmax(m, std::fabs(a64.data_as<double>()[i] - b64.data_as<double>()[i]));
  return m;
}

void core() {
  // Steps 3–4 with GQA and a causal mask: q [1, 4, 5, 8], k/v [1, 2, 5, 8].
  mha::Tensor q(mha::DType::f32, {1, 4, 5, 8}), k(mha::DType::f32, {1, 2, 5, 8}),
      v(mha::DType::f32, {1, 2, 5, 8});
  fill(q, 0.1);
  fill(k, 0.2);
  fill(v, 0.3);
  mha::AttentionOptions opt;
  opt.is_causal = true;
  mha::AttentionInputs in;
  in.query = q;
  in.key = k;
  in.value = v;
  const mha::AttentionResult r = mha::attention(in, opt);
  check(r.y.shape() == mha::Shape({1, 4, 5, 8}), "attention: y has shape [1, 4, 5, 8]");
  // Causal: query 0 sees key 0 alone, so its output is exactly value row 0 of its kv head.
  for (std::int64_t h = 0; h < 4; ++h)
    for (std::int64_t d = 0; d < 8; ++d)
      check(std::fabs(r.y.view().get({0, h, 0, d}) - v.view().get({0, h / 2, 0, d})) < 1e-6,
            "attention: causal query 0 returns value 0");
  const double err = max_abs_diff(r.y, mha::reference::attention(in, opt).y);
  std::printf("attention  y [1, 4, 5, 8], max |fast - reference| = %.3g\n", err);
  check(err < 1e-5, "attention: matches mha::reference::attention");
}

void module() {
  // All six steps: batch_first x [2, 3, 16], 4 heads; in batch 1 the last key is padding.
  mha::MultiHeadAttentionOptions mo;
  mo.embed_dim = 16;
  mo.num_heads = 4;
  mo.batch_first = true;
  mo.seed = 7;
  const mha::MultiHeadAttention layer(mo);
  mha::Tensor x(mha::DType::f32, {2, 3, 16});
  fill(x, 0.5);
  mha::Tensor pad(mha::DType::boolean, {2, 3});
  pad.data_as<std::uint8_t>()[1 * 3 + 2] = 1;  // torch convention: true = padding
  mha::ForwardOptions fo;
  fo.key_padding_mask = mha::Mask::drop(pad);
  const mha::MultiHeadAttentionOutput out = layer.forward(x, fo);
  check(out.output.shape() == mha::Shape({2, 3, 16}), "module: output has shape [2, 3, 16]");
  check(out.weights.shape() == mha::Shape({2, 3, 3}),
        "module: averaged weights have shape [2, 3, 3]");
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t l = 0; l < 3; ++l) {
      double sum = 0;
      for (std::int64_t s = 0; s < 3; ++s) sum += out.weights.view().get({n, l, s});
      check(std::fabs(sum - 1.0) < 1e-5, "module: each weight row sums to 1");
      check(out.weights.view().get({1, l, 2}) == 0.0, "module: the padding key gets weight 0");
    }
  const mha::MultiHeadAttentionOutput ref =
      mha::reference::multi_head_attention(layer, x, x, x, fo);
  const double err =
      std::fmax(max_abs_diff(out.output, ref.output), max_abs_diff(out.weights, ref.weights));
  std::printf("module     output [2, 3, 16], max |fast - reference| = %.3g\n", err);
  check(err < 1e-5, "module: matches mha::reference::multi_head_attention");
}

}  // namespace

int main() {
  std::printf("mha %s (headers %d.%d.%d)\n", MHA_VERSION_STRING, MHA_VERSION_MAJOR,
              MHA_VERSION_MINOR, MHA_VERSION_PATCH);
  check(std::strcmp(MHA_VERSION_STRING, MHA_EXPECTED_VERSION) == 0,
        "version.hpp matches the package version");
  try {
    core();
    module();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FAIL: exception: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", failures == 0 ? "consumer: all checks passed" : "consumer: checks FAILED");
  return failures == 0 ? 0 : 1;
}
