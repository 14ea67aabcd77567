// Fuzzes the safetensors reader: the input is a whole file. Anything may be rejected with
// mha::Error; nothing may crash, leak or read out of bounds. When a file is accepted, every
// byte of every tensor is read, through both bytes() and the typed views, so that ASan sees any
// range the validation let through that lies outside the buffer.
//
// Seed corpus (fuzz/corpus/safetensors_fuzzer/): small valid files (several dtypes, a scalar,
// an empty tensor, metadata, a misaligned data region, a sub-byte F4 tensor) and near misses of
// the rules (hole, overlap, duplicate name, size mismatch, huge shape, lying header length),
// written by hand with Python's struct/json modules; the file names say which is which.
#include <cstdint>
#include <span>

#include "mha/error.hpp"
#include "mha/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const mha::Safetensors f = mha::Safetensors::from_bytes(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz");
    unsigned sum = 0;
    for (const mha::SafetensorsEntry& e : f.entries()) {
      for (std::byte b : f.bytes(e.name)) sum += std::to_integer<unsigned>(b);
      if (!e.dtype || e.shape.size() > static_cast<std::size_t>(mha::kMaxRank)) continue;
      const mha::TensorView v = f.tensor(e.name);
      const auto* p = static_cast<const unsigned char*>(v.data());
      const std::int64_t n = v.numel() * static_cast<std::int64_t>(mha::dtype_size(v.dtype()));
      for (std::int64_t i = 0; i < n; ++i) sum += p[i];
    }
    for (const auto& [k, v] : f.metadata()) sum += static_cast<unsigned>(k.size() + v.size());
    volatile unsigned sink = sum;  // keeps the reads
    (void)sink;
  } catch (const mha::Error&) {
  }
  return 0;
}
