// MultiHeadAttention: options and input validation, state_dict round trip, dropout semantics,
// concurrent forward calls.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "mha/error.hpp"
#include "mha/module.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"
#include "common/isa.hpp"
#include "unit/random_inputs.hpp"

namespace {

using namespace mha;
namespace mt = mha::testing;

double max_diff(const TensorView& a, const TensorView& b) {
  const Tensor x = Tensor::copy_of(a, DType::f64), y = Tensor::copy_of(b, DType::f64);
  double m = 0.0;
  for (std::int64_t i = 0; i < x.numel(); ++i) m = std::max(m, std::abs(x.data_as<double>()[i] - y.data_as<double>()[i]));
  return m;
}

template <class F>
void expect_error(F&& f, const std::string& argument, const std::string& mentions) {
  try {
    f();
    ADD_FAILURE() << "no error for " << argument;
  } catch (const Error& e) {
    EXPECT_EQ(e.argument(), argument) << e.what();
    EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
  }
}

TEST(Module, RejectsBadOptions) {
  expect_error([] { MultiHeadAttention({.embed_dim = 0, .num_heads = 1}); }, "embed_dim", "> 0");
  expect_error([] { MultiHeadAttention({.embed_dim = 10, .num_heads = 3}); }, "num_heads", "divisor of embed_dim (10)");
  expect_error([] { MultiHeadAttention({.embed_dim = 12, .num_heads = 4, .num_kv_heads = 3}); }, "num_kv_heads",
               "divisor of num_heads (4)");
  expect_error([] { MultiHeadAttention({.embed_dim = 8, .num_heads = 2, .dropout = 1.0}); }, "dropout", "[0, 1)");
  expect_error([] { MultiHeadAttention({.embed_dim = 8, .num_heads = 2, .kdim = -1}); }, "kdim", ">= 0");
  expect_error([] { MultiHeadAttention({.embed_dim = 8, .num_heads = 2, .weight_dtype = DType::f16}); }, "weight_dtype",
               "f32 or bf16");
}

// bf16 parameters: kept as bf16 (state_dict), rounded on load, and the forward pass is exactly
// the fp32 module's on the rounded values (the GEMM expands bf16 weights to fp32 exactly and
// keeps fp32 activations), with every option that touches a parameter. (The property test
// checks bf16 modules against the reference within the derived bound.)
TEST(Module, Bf16WeightsAreTheFp32ModuleOnRoundedWeights) {
  for (bool packed : {true, false}) {
    MultiHeadAttentionOptions o{.embed_dim = 16, .num_heads = 4, .add_bias_kv = true, .add_zero_attn = true,
                                .batch_first = true, .seed = 11};
    if (!packed) o.kdim = 7, o.vdim = 5, o.num_kv_heads = 2;
    MultiHeadAttentionOptions ob = o;
    ob.weight_dtype = DType::bf16;
    MultiHeadAttention m16(ob), m32(o);
    auto sd16 = m16.state_dict();
    for (const auto& [name, t] : sd16) EXPECT_EQ(t.dtype(), DType::bf16) << name;
    // Loading fp32 values rounds them: the fp32 module's weights give the same bf16 state.
    auto sd32 = m32.state_dict();
    m16.load_state_dict(std::map<std::string, TensorView>(sd32.begin(), sd32.end()));
    sd16 = m16.state_dict();
    for (const auto& [name, t] : sd16) {
      const Tensor& f = sd32.at(name);
      for (std::int64_t i = 0; i < t.numel(); ++i)
        ASSERT_EQ(t.data_as<std::uint16_t>()[i], f32_to_bf16(f.data_as<float>()[i])) << name << "[" << i << "]";
    }
    m32.load_state_dict(std::map<std::string, TensorView>(sd16.begin(), sd16.end()));  // the rounded values
    std::mt19937_64 rng(12);
    Tensor q = mt::random_tensor(rng, DType::f32, {2, 9, 16});
    Tensor k = mt::random_tensor(rng, DType::f32, {2, 6, o.kdim ? o.kdim : 16});
    Tensor v = mt::random_tensor(rng, DType::f32, {2, 6, o.vdim ? o.vdim : 16});
    const ForwardOptions fo{.need_weights = true, .average_attn_weights = false};
    const auto a = m16.forward(q, k, v, fo), b = m32.forward(q, k, v, fo);
    EXPECT_EQ(max_diff(a.output, b.output), 0.0);
    EXPECT_EQ(max_diff(a.weights, b.weights), 0.0);
  }
}

TEST(Module, RejectsBadForwardInputs) {
  MultiHeadAttention m({.embed_dim = 8, .num_heads = 2, .batch_first = true});
  Tensor x(DType::f32, {2, 5, 8});
  expect_error([&] { m.forward(Tensor(DType::f32, {2, 5, 6})); }, "query", "embed_dim = 8");
  expect_error([&] { m.forward(Tensor(DType::f32, {1, 2, 5, 8})); }, "query", "rank 3 [N, L, E] or rank 2");
  expect_error([&] { m.forward(x, Tensor(DType::f32, {3, 5, 8}), Tensor(DType::f32, {3, 5, 8})); }, "key", "batch size 2");
  expect_error([&] { m.forward(x, Tensor(DType::f32, {2, 5, 8}), Tensor(DType::f32, {2, 4, 8})); }, "value", "sequence length 5");
  expect_error([&] { m.forward(x, Tensor(DType::f32, {5, 8}), Tensor(DType::f32, {5, 8})); }, "key", "rank 3");
  expect_error([&] { m.forward(Tensor(DType::i64, {2, 5, 8})); }, "query", "floating");
  Tensor bad_kpm(DType::boolean, {2, 4});
  expect_error([&] { m.forward(x, {.key_padding_mask = Mask::drop(bad_kpm)}); }, "key_padding_mask", "[2, 5]");
  Tensor bad_am(DType::boolean, {3, 5, 5});
  expect_error([&] { m.forward(x, {.attn_mask = Mask::drop(bad_am)}); }, "attn_mask", "[4, 5, 5] [N*num_heads, L, S]");
}

TEST(Module, StateDictRoundTripAndLoadErrors) {
  MultiHeadAttention a({.embed_dim = 12, .num_heads = 3, .add_bias_kv = true, .seed = 1});
  MultiHeadAttention b({.embed_dim = 12, .num_heads = 3, .add_bias_kv = true, .seed = 2});
  auto sd = a.state_dict();
  EXPECT_EQ(sd.size(), 6u);  // in_proj_weight, in_proj_bias, out_proj.weight/bias, bias_k, bias_v
  EXPECT_EQ(sd["in_proj_weight"].shape(), (Shape{36, 12}));
  std::map<std::string, TensorView> views(sd.begin(), sd.end());
  b.load_state_dict(views);
  std::mt19937_64 rng(3);
  Tensor x = mt::random_tensor(rng, DType::f32, {4, 2, 12});
  EXPECT_EQ(max_diff(a.forward(x).output, b.forward(x).output), 0.0);

  // Separate q/k/v weights are accepted for a packed module too, and give the same result.
  MultiHeadAttention c({.embed_dim = 12, .num_heads = 3, .add_bias_kv = true, .seed = 9});
  const Tensor& w = sd["in_proj_weight"];
  std::map<std::string, TensorView> separate = views;
  separate.erase("in_proj_weight");
  separate["q_proj_weight"] = TensorView(w.data_as<float>(), DType::f32, {12, 12});
  separate["k_proj_weight"] = TensorView(w.data_as<float>() + 144, DType::f32, {12, 12});
  separate["v_proj_weight"] = TensorView(w.data_as<float>() + 288, DType::f32, {12, 12});
  c.load_state_dict(separate);
  EXPECT_EQ(max_diff(a.forward(x).output, c.forward(x).output), 0.0);

  // Errors change nothing.
  const Tensor before = b.forward(x).output;
  auto wrong = views;
  Tensor small(DType::f32, {12, 11});
  wrong["out_proj.weight"] = small;
  expect_error([&] { b.load_state_dict(wrong); }, "out_proj.weight", "shape [12, 12]");
  auto unknown = views;
  unknown["in_proj.weight"] = small;
  expect_error([&] { b.load_state_dict(unknown); }, "in_proj.weight", "one of:");
  auto missing = views;
  missing.erase("bias_v");
  expect_error([&] { b.load_state_dict(missing); }, "bias_v", "missing");
  EXPECT_NO_THROW(b.load_state_dict(missing, /*allow_partial=*/true));
  EXPECT_EQ(max_diff(before, b.forward(x).output), 0.0);

  MultiHeadAttention kd({.embed_dim = 8, .num_heads = 2, .kdim = 5, .vdim = 3});
  EXPECT_FALSE(kd.packed_in_proj());
  EXPECT_EQ(kd.state_dict().count("k_proj_weight"), 1u);
  Tensor packed(DType::f32, {24, 8});
  expect_error([&] { kd.load_state_dict({{"in_proj_weight", packed}}, true); }, "in_proj_weight", "q/k/v_proj_weight");
}

TEST(Module, DropoutOnlyInTrainingSeededAndMatchingTheReference) {
  MultiHeadAttention m({.embed_dim = 16, .num_heads = 4, .dropout = 0.3, .batch_first = true, .seed = 5});
  std::mt19937_64 rng(6);
  Tensor x = mt::random_tensor(rng, DType::f32, {2, 30, 16});
  const ForwardOptions per_head{.need_weights = true, .average_attn_weights = false};
  // Eval: no dropout, and the same as a module without dropout.
  const Tensor eval_out = m.forward(x, per_head).output;
  MultiHeadAttention plain({.embed_dim = 16, .num_heads = 4, .batch_first = true, .seed = 5});
  EXPECT_EQ(max_diff(eval_out, plain.forward(x, per_head).output), 0.0);

  m.train();
  ForwardOptions seeded = per_head;
  seeded.dropout_seed = 1234;
  const auto a = m.forward(x, seeded), b = m.forward(x, seeded);
  EXPECT_EQ(max_diff(a.output, b.output), 0.0);  // same stream, same result
  EXPECT_GT(max_diff(a.output, eval_out), 1e-3);  // dropout did something
  // The same draw as the reference's (counter-based, position-addressed).
  const auto ref = reference::multi_head_attention(m, x, x, x, seeded);
  EXPECT_LT(max_diff(a.output, ref.output), 1e-4);
  EXPECT_LT(max_diff(a.weights, ref.weights), 1e-5);
  // About 30% of the probabilities are dropped; the kept ones are scaled by 1/0.7.
  std::int64_t zeros = 0;
  for (std::int64_t i = 0; i < a.weights.numel(); ++i) zeros += a.weights.data_as<float>()[i] == 0.0f;
  const double frac = static_cast<double>(zeros) / static_cast<double>(a.weights.numel());
  EXPECT_NEAR(frac, 0.3, 0.03) << "dropped fraction";  // 7200 draws: 5 standard deviations

  // Without a seed: successive calls differ, and a fresh module with the same seed repeats them.
  MultiHeadAttention m2({.embed_dim = 16, .num_heads = 4, .dropout = 0.3, .batch_first = true, .seed = 5});
  m2.train();
  const Tensor c1 = m.forward(x).output, c2 = m.forward(x).output;
  EXPECT_GT(max_diff(c1, c2), 1e-3);
  EXPECT_EQ(max_diff(c1, m2.forward(x).output), 0.0);
}

TEST(Module, ConcurrentForwardCallsAgreeWithSerial) {
  MultiHeadAttention m({.embed_dim = 32, .num_heads = 4, .batch_first = true, .num_kv_heads = 2, .seed = 7});
  std::mt19937_64 rng(8);
  std::vector<Tensor> xs;
  for (int i = 0; i < 6; ++i) xs.push_back(mt::random_tensor(rng, DType::f32, {2, 17, 32}));
  std::vector<Tensor> serial, parallel(xs.size());
  for (const auto& x : xs) serial.push_back(m.forward(x).output);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < xs.size(); ++i) threads.emplace_back([&, i] { parallel[i] = m.forward(xs[i]).output; });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < xs.size(); ++i) EXPECT_EQ(max_diff(serial[i], parallel[i]), 0.0);
}

TEST(Module, IsCausalAloneEqualsTheExplicitCausalMask) {
  MultiHeadAttention m({.embed_dim = 8, .num_heads = 2, .add_bias_kv = true, .add_zero_attn = true, .seed = 3});
  std::mt19937_64 rng(4);
  Tensor x = mt::random_tensor(rng, DType::f32, {6, 1, 8});  // [L, N, E]
  Tensor causal(DType::boolean, {6, 6});
  for (int i = 0; i < 6; ++i)
    for (int j = i + 1; j < 6; ++j) causal.data_as<std::uint8_t>()[i * 6 + j] = 1;  // torch: true = masked
  const auto a = m.forward(x, {.is_causal = true});
  const auto b = m.forward(x, {.attn_mask = Mask::drop(causal), .is_causal = true});
  const auto c = m.forward(x, {.attn_mask = Mask::drop(causal)});
  EXPECT_EQ(max_diff(a.output, c.output), 0.0);
  EXPECT_EQ(max_diff(b.output, c.output), 0.0);
  EXPECT_EQ(a.weights.shape(), (Shape{1, 6, 8}));  // S + bias_kv + zero_attn
}

// forward_packed: each sequence's rows equal forward() on that sequence alone, exactly (the
// GEMM computes every row the same whatever the row count, and each sequence's attention is the
// same kernel call), with and without is_causal, GQA, bf16 parameters, an f64 input, one thread
// and several (sequences then run on parallel threads, one kernel call each), on every target.
TEST(Module, PackedSequencesEqualEachSequenceAlone) {
  const std::vector<std::int64_t> lengths = {5, 0, 17, 1, 64, 33, 2};
  const std::int64_t T = 122;
  const int threads = num_threads();
  mt::for_each_isa([&](detail::Isa) {
    for (DType wdt : {DType::f32, DType::bf16})
      for (DType xdt : {DType::f32, DType::f64})
        for (bool causal : {false, true})
          for (int nt : {1, 2}) {
            set_num_threads(nt);
            SCOPED_TRACE(std::string(dtype_name(wdt)) + " weights, " + dtype_name(xdt) + " x, causal " +
                         std::to_string(causal) + ", threads " + std::to_string(nt));
            MultiHeadAttention m({.embed_dim = 32, .num_heads = 4, .batch_first = true, .num_kv_heads = 2,
                                  .seed = 21, .weight_dtype = wdt});
            std::mt19937_64 rng(22);
            const Tensor x = mt::random_tensor(rng, xdt, {T, 32});
            const Tensor y = m.forward_packed(x, lengths, causal);
            ASSERT_EQ(y.shape(), (Shape{T, 32}));
            ASSERT_EQ(y.dtype(), xdt);
            std::int64_t r0 = 0;
            for (std::int64_t len : lengths) {
              if (len > 0) {
                const std::size_t es = dtype_size(xdt);
                const TensorView xs(static_cast<const std::byte*>(x.data()) + r0 * 32 * static_cast<std::int64_t>(es), xdt,
                                    Shape{1, len, 32}, Shape{len * 32, 32, 1});
                const TensorView ys(static_cast<const std::byte*>(y.data()) + r0 * 32 * static_cast<std::int64_t>(es), xdt,
                                    Shape{1, len, 32}, Shape{len * 32, 32, 1});
                const auto alone = m.forward(xs, {.need_weights = false, .is_causal = causal});
                EXPECT_EQ(max_diff(ys, alone.output), 0.0) << "sequence at row " << r0 << ", length " << len;
              }
              r0 += len;
            }
          }
  });
  set_num_threads(threads);
}

TEST(Module, PackedSequencesRejectBadInputs) {
  MultiHeadAttention m({.embed_dim = 8, .num_heads = 2});
  Tensor x(DType::f32, {7, 8});
  const std::vector<std::int64_t> ok = {3, 4};
  expect_error([&] { m.forward_packed(x, std::vector<std::int64_t>{3, 3}); }, "lengths", "a sum of 6");
  expect_error([&] { m.forward_packed(x, std::vector<std::int64_t>{3, 5}); }, "lengths", "lengths[1] = 5 after 3 rows");
  expect_error([&] { m.forward_packed(x, std::vector<std::int64_t>{-1, 8}); }, "lengths", "lengths[0] = -1");
  expect_error([&] { m.forward_packed(Tensor(DType::f32, {7, 6}), ok); }, "x", "shape [T, 8]");
  expect_error([&] { m.forward_packed(Tensor(DType::f32, {1, 7, 8}), ok); }, "x", "shape [1, 7, 8]");
  expect_error([&] { m.forward_packed(Tensor(DType::i64, {7, 8}), ok); }, "x", "floating");
  expect_error([&] { m.forward_packed(TensorView{}, ok); }, "x", "a tensor");
  MultiHeadAttention cross({.embed_dim = 8, .num_heads = 2, .kdim = 5});
  expect_error([&] { cross.forward_packed(x, ok); }, "kdim/vdim", "kdim 5");
  MultiHeadAttention bias_kv({.embed_dim = 8, .num_heads = 2, .add_bias_kv = true});
  expect_error([&] { bias_kv.forward_packed(x, ok); }, "add_bias_kv", "forward with padding");
  MultiHeadAttention drop({.embed_dim = 8, .num_heads = 2, .dropout = 0.5});
  drop.train();
  expect_error([&] { drop.forward_packed(x, ok); }, "dropout", "eval mode");
  drop.eval();
  EXPECT_EQ(drop.forward_packed(x, ok).shape(), (Shape{7, 8}));
  EXPECT_EQ(m.forward_packed(Tensor(DType::f32, {0, 8}), std::vector<std::int64_t>{}).shape(), (Shape{0, 8}));
}

}  // namespace
