// Fuzzes mha::attention's boundary: arbitrary ranks, shapes, strides, masks, caches and options
// decoded from the input. Anything may be rejected with mha::Error; nothing may crash, read out
// of bounds or (for finite inputs that are accepted) produce a non-finite output.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mha/attention.hpp"
#include "mha/error.hpp"

namespace {

struct Bytes {
  const std::uint8_t* p;
  std::size_t n, i = 0;
  std::uint8_t next() { return i < n ? p[i++] : 0; }
  std::int64_t dim(int max) { return static_cast<std::int64_t>(next() % (max + 1)); }
};

// A tensor whose shape the input chooses, filled with small finite values.
mha::Tensor tensor(Bytes& b, mha::DType dt, int rank, int max_dim) {
  std::vector<std::int64_t> dims;
  for (int i = 0; i < rank; ++i) dims.push_back(b.dim(max_dim));
  mha::Tensor t(dt, mha::Shape(std::span<const std::int64_t>(dims)));
  for (std::int64_t i = 0; i < t.numel(); ++i)
    mha::store_from_double(t.data(), dt, i, dt == mha::DType::boolean ? (b.next() & 1) : (b.next() - 128) / 32.0);
  return t;
}

mha::DType float_type(Bytes& b) {
  const mha::DType t[] = {mha::DType::f32, mha::DType::f16, mha::DType::bf16, mha::DType::f64};
  return t[b.next() % 4];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes b{data, size};
  const int rank = 3 + (b.next() & 1) + ((b.next() % 16) == 0 ? -1 : 0);  // mostly 3 or 4, sometimes 2 or 3
  const mha::DType qt = float_type(b), kt = float_type(b), vt = float_type(b);
  mha::Tensor q = tensor(b, qt, rank, 6), k = tensor(b, kt, rank, 6), v = tensor(b, vt, rank, 6);
  mha::AttentionInputs in{q, k, v};
  mha::AttentionOptions opt;
  const std::uint8_t flags = b.next();
  if (rank == 3) {
    opt.q_num_heads = b.dim(4);
    opt.kv_num_heads = b.dim(4);
  }
  opt.is_causal = flags & 1;
  if (flags & 2) opt.scale = (b.next() - 128) / 16.0f;
  if (flags & 4) opt.softcap = b.next() / 8.0f;
  if (flags & 8) opt.left_window = b.dim(6) - 1;
  if (flags & 16) opt.right_window = b.dim(6) - 1;
  opt.qk_output_mode = static_cast<mha::QkOutput>(b.next() % 4);
  mha::Tensor mask, pk, pv, nonpad;
  if (flags & 32) {
    const int mrank = 1 + b.next() % 4;
    const bool boolean = b.next() & 1;
    mask = tensor(b, boolean ? mha::DType::boolean : float_type(b), mrank, 6);
    in.mask = boolean ? (b.next() & 1 ? mha::Mask::keep(mask) : mha::Mask::drop(mask)) : mha::Mask::additive(mask);
  }
  if (flags & 64) {
    pk = tensor(b, kt, 4, 5);
    pv = tensor(b, vt, 4, 5);
    in.past_key = pk;
    in.past_value = pv;
  }
  if (flags & 128) {
    nonpad = mha::Tensor(mha::DType::i64, {b.dim(4)});
    for (std::int64_t i = 0; i < nonpad.numel(); ++i) nonpad.data_as<std::int64_t>()[i] = b.dim(12) - 2;
    in.nonpad_kv_seqlen = nonpad;
  }
  try {
    const mha::AttentionResult r = mha::attention(in, opt, {.present = true, .qk_output = true});
    for (std::int64_t i = 0; i < r.y.numel(); ++i)
      if (!std::isfinite(mha::load_as_double(r.y.data(), r.y.dtype(), i))) {
        // Finite inputs within ±4 and |scale| <= 8 cannot overflow any dtype's range... except
        // f16 outputs of large values, which the bounded inputs rule out. So this is a bug.
        __builtin_trap();
      }
  } catch (const mha::Error&) {
    // Rejected with a message: fine.
  }
  return 0;
}
