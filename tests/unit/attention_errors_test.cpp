// Bad input to mha::attention: every wrong shape, rank, dtype, head count, mask, cache, option
// and overflowing size throws mha::Error naming the argument, and leaves the outputs untouched.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "mha/attention.hpp"
#include "mha/error.hpp"

namespace {

using namespace mha;

struct Valid {
  Tensor q{DType::f32, {2, 4, 3, 8}}, k{DType::f32, {2, 2, 5, 8}}, v{DType::f32, {2, 2, 5, 6}};
  Tensor mask{DType::boolean, {3, 5}}, fmask{DType::f32, {2, 1, 3, 5}};
  Tensor pk{DType::f32, {2, 2, 4, 8}}, pv{DType::f32, {2, 2, 4, 6}};
  Tensor nonpad{DType::i64, {2}};
  Tensor y{DType::f32, {2, 4, 3, 6}};
  AttentionInputs in{q, k, v};
  AttentionOptions opt;
  AttentionOutputs out{y};
};

struct BadCase {
  const char* name;
  const char* argument;  // Error::argument() must name it
  const char* mentions;  // and the message must contain this
  std::function<void(Valid&)> mutate;
};

// Storage for tensors that mutations create (kept alive for the duration of the test).
std::vector<Tensor>& keep_alive() {
  static std::vector<Tensor> v;
  return v;
}
TensorView make(DType t, Shape s) {
  keep_alive().emplace_back(t, s);
  return keep_alive().back();
}

const BadCase kCases[] = {
    {"absent query", "query", "absent", [](Valid& c) { c.in.query = TensorView(); }},
    {"integer query", "query", "i64", [](Valid& c) { c.in.query = make(DType::i64, {2, 4, 3, 8}); }},
    {"rank-2 key", "key", "rank 3", [](Valid& c) { c.in.key = make(DType::f32, {5, 8}); }},
    {"rank mismatch", "key", "rank of query", [](Valid& c) { c.in.key = make(DType::f32, {2, 5, 16}); }},
    {"batch mismatch", "key", "batch 2", [](Valid& c) { c.in.key = make(DType::f32, {3, 2, 5, 8}); }},
    {"head size mismatch", "key", "head size 8", [](Valid& c) { c.in.key = make(DType::f32, {2, 2, 5, 7}); }},
    {"value heads", "value", "2 heads", [](Valid& c) { c.in.value = make(DType::f32, {2, 1, 5, 6}); }},
    {"value length", "value", "sequence length 5", [](Valid& c) { c.in.value = make(DType::f32, {2, 2, 4, 6}); }},
    {"heads do not divide", "key", "divides the query heads (4)", [](Valid& c) { c.in.key = make(DType::f32, {2, 3, 5, 8}); c.in.value = make(DType::f32, {2, 3, 5, 6}); }},
    {"zero head size", "query", "head size >= 1", [](Valid& c) { c.in.query = make(DType::f32, {2, 4, 3, 0}); c.in.key = make(DType::f32, {2, 2, 5, 0}); }},
    {"3-D without heads", "q_num_heads", "> 0 for 3-D", [](Valid& c) { c.in.query = make(DType::f32, {2, 3, 32}); c.in.key = make(DType::f32, {2, 5, 16}); c.in.value = make(DType::f32, {2, 5, 12}); }},
    {"3-D indivisible", "query", "divisible by q_num_heads (3)", [](Valid& c) { c.in.query = make(DType::f32, {2, 3, 32}); c.in.key = make(DType::f32, {2, 5, 16}); c.in.value = make(DType::f32, {2, 5, 12}); c.opt.q_num_heads = 3; c.opt.kv_num_heads = 2; }},
    {"4-D wrong q_num_heads", "q_num_heads", "head dimension of 4-D query (4)", [](Valid& c) { c.opt.q_num_heads = 2; }},
    {"negative kv_num_heads", "kv_num_heads", ">= 0", [](Valid& c) { c.opt.kv_num_heads = -1; }},
    {"past_key alone", "past_value", "together", [](Valid& c) { c.in.past_key = c.pk; }},
    {"past with nonpad", "nonpad_kv_seqlen", "absent when past_key", [](Valid& c) { c.in.past_key = c.pk; c.in.past_value = c.pv; c.in.nonpad_kv_seqlen = c.nonpad; }},
    {"past_key rank", "past_key", "rank 4", [](Valid& c) { c.in.past_key = make(DType::f32, {2, 4, 16}); c.in.past_value = c.pv; }},
    {"past_value shape", "past_value", "[2, 2, 4, 6]", [](Valid& c) { c.in.past_key = c.pk; c.in.past_value = make(DType::f32, {2, 2, 3, 6}); }},
    {"nonpad dtype", "nonpad_kv_seqlen", "i64", [](Valid& c) { c.in.nonpad_kv_seqlen = make(DType::f32, {2}); }},
    {"nonpad shape", "nonpad_kv_seqlen", "[2]", [](Valid& c) { c.in.nonpad_kv_seqlen = make(DType::i64, {3}); }},
    {"nonpad too long", "nonpad_kv_seqlen", "values in [0, 5]", [](Valid& c) { c.nonpad.data_as<std::int64_t>()[1] = 6; c.in.nonpad_kv_seqlen = c.nonpad; }},
    {"nonpad negative", "nonpad_kv_seqlen", "-1 at batch 0", [](Valid& c) { c.nonpad.data_as<std::int64_t>()[0] = -1; c.in.nonpad_kv_seqlen = c.nonpad; }},
    {"mask does not broadcast", "mask", "query length must be 1 or 3", [](Valid& c) { c.in.mask = Mask::keep(make(DType::boolean, {4, 5})); }},
    {"mask heads", "mask", "heads must be 1 or 4", [](Valid& c) { c.in.mask = Mask::additive(make(DType::f32, {2, 3, 3, 5})); }},
    {"mask too long", "mask", "<= total key length 5", [](Valid& c) { c.in.mask = Mask::keep(make(DType::boolean, {3, 6})); }},
    {"non-finite scale", "scale", "finite", [](Valid& c) { c.opt.scale = std::numeric_limits<float>::infinity(); }},
    {"negative softcap", "softcap", ">= 0", [](Valid& c) { c.opt.softcap = -1.0f; }},
    {"bad left window", "left_window", "-1 (unbounded) or >= 0", [](Valid& c) { c.opt.left_window = -2; }},
    {"bad right window", "right_window", "-1 (unbounded) or >= 0", [](Valid& c) { c.opt.right_window = -5; }},
    {"bad qk mode", "qk_output_mode", "0, 1, 2 or 3", [](Valid& c) { c.opt.qk_output_mode = static_cast<QkOutput>(7); }},
    {"wrong y shape", "y", "shape [2, 4, 3, 6]", [](Valid& c) { c.out.y = make(DType::f32, {2, 4, 3, 8}); }},
    {"integer y", "y", "floating", [](Valid& c) { c.out.y = make(DType::i64, {2, 4, 3, 6}); }},
    {"absent y", "y", "an output tensor", [](Valid& c) { c.out.y = TensorView(); }},
    {"wrong present_key", "present_key", "[2, 2, 5, 8]", [](Valid& c) { c.out.present_key = make(DType::f32, {2, 2, 4, 8}); }},
    {"wrong qk_output", "qk_output", "[2, 4, 3, 5]", [](Valid& c) { c.out.qk_output = make(DType::f32, {2, 4, 3, 4}); }},
};

TEST(AttentionErrors, EveryBadInputNamesItsArgumentAndWritesNothing) {
  for (const BadCase& bc : kCases) {
    SCOPED_TRACE(bc.name);
    Valid c;
    for (std::int64_t i = 0; i < c.y.numel(); ++i) c.y.data_as<float>()[i] = 42.0f;  // sentinel
    bc.mutate(c);
    try {
      attention(c.in, c.opt, c.out);
      ADD_FAILURE() << "no error thrown";
    } catch (const Error& e) {
      EXPECT_EQ(e.argument(), bc.argument) << e.what();
      EXPECT_NE(std::string(e.what()).find(bc.mentions), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("mha::attention"), std::string::npos) << e.what();
    }
    for (std::int64_t i = 0; i < c.y.numel(); ++i) ASSERT_EQ(c.y.data_as<float>()[i], 42.0f) << "output written";
  }
}

TEST(AttentionErrors, ValidBaselineRuns) {
  Valid c;
  EXPECT_NO_THROW(attention(c.in, c.opt, c.out));
}

TEST(AttentionErrors, SizesWhoseProductOverflowsAreRejectedBeforeAnyRead) {
  // Each tensor's own element count fits in int64, but B·H·Sq·T does not. The data pointer is
  // never dereferenced: validation fails first.
  static float dummy[1];
  const std::int64_t big = std::int64_t{1} << 32;
  TensorView q(dummy, DType::f32, Shape{1, 1, big, 1}, Shape{0, 0, 0, 0});
  TensorView k(dummy, DType::f32, Shape{1, 1, big, 1}, Shape{0, 0, 0, 0});
  try {
    (void)attention_shapes({q, k, k});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fits in int64"), std::string::npos) << e.what();
  }
}

TEST(AttentionErrors, TensorSizesThatOverflowAreRejected) {
  const std::int64_t huge = std::int64_t{1} << 40;
  EXPECT_THROW(Tensor(DType::f32, Shape{huge, huge}), Error);
  EXPECT_THROW(Tensor(DType::f32, Shape{-1, 3}), Error);
  EXPECT_THROW(Shape({1, 2, 3, 4, 5}), Error);
  EXPECT_THROW(Mask::keep(Tensor(DType::f32, {2})), Error);
  EXPECT_THROW(Mask::additive(Tensor(DType::boolean, {2})), Error);
}

}  // namespace
