#pragma once
// mha::Safetensors — a strict, read-only reader of the safetensors format (Hugging Face), the
// format pretrained weights ship in.
//
// The file: an 8-byte little-endian unsigned length N, N bytes of UTF-8 JSON (the header), then
// the data region, which runs to the end of the file. The header is one JSON object: each key is
// a tensor name mapping to {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, with
// offsets in bytes relative to the start of the data region; the optional key "__metadata__"
// maps strings to strings.
//
// What a file must satisfy here, each violation an mha::Error naming the file, the tensor and
// the problem (no input, however malformed, is read out of bounds):
//   - at least 8 bytes; N <= kMaxSafetensorsHeaderBytes and N <= file size − 8;
//   - the header is well-formed JSON (UTF-8, no NUL byte, no duplicate key anywhere), starts
//     with '{', may be padded with trailing whitespace (the reference writer pads with spaces),
//     and is an object;
//   - "__metadata__", when present, is an object of string values;
//   - every other entry is an object with exactly the keys dtype, shape, data_offsets: dtype one
//     of the format's names (below), shape an array of integers in 0..2^63−1, data_offsets two
//     integers begin <= end;
//   - end − begin == product(shape) × element size (computed in bits, with overflow checks;
//     sub-byte types must fill whole bytes);
//   - sorted by offset, the tensors tile the data region exactly: the first begins at 0, each
//     begins where the previous ends, the last ends at the end of the file (no hole, no
//     overlap, no trailing bytes).
//
// Data types. Every dtype name of the format is recognized and validated; six map to mha types
// and can be viewed as tensors:
//   F32 → f32, F64 → f64, F16 → f16, BF16 → bf16, I64 → i64, BOOL → boolean (one byte each).
// The others (U8, I8, I16, U16, I32, U32, U64, C64, F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ,
// F8_E5M2FNUZ, F4, F6_E2M3, F6_E3M2) are listed by entries() with their name and byte range,
// and tensor() on one of them throws an mha::Error saying the dtype is not supported.
//
// Zero copy: open() maps the file read-only (mmap); tensor() returns a view into the mapping
// when the tensor's bytes are aligned for its element type (files written by the reference
// writer always are: it pads the header to 8 bytes and orders tensors by alignment). A
// misaligned tensor is copied once, when the file is opened, into aligned memory owned by the
// Safetensors object. Views stay valid as long as any copy of the Safetensors object lives; the
// mapped memory is read-only, so never pass such a view where mha writes.
//
// Tensors of rank > 4 (mha's kMaxRank) are listed but cannot be viewed (tensor() throws).
//
// Thread safety: a Safetensors object is immutable after construction; copies share the mapping.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mha/tensor.hpp"

namespace mha {

// The largest header accepted: 100 MB, the limit of the reference implementation (a header is
// about 100 bytes per tensor, so this allows about a million tensors).
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// One tensor of the file, as the header describes it.
struct SafetensorsEntry {
  std::string name;
  std::string dtype_name;            // the format's name: "F32", "BF16", "I32", ...
  std::optional<DType> dtype;        // the mha type, when there is one (see the table above)
  std::vector<std::int64_t> shape;   // any rank; [] is a scalar (one element)
  std::uint64_t begin = 0, end = 0;  // byte range within the data region
};

class Safetensors {
 public:
  // Maps `path` read-only and validates it. Throws mha::Error naming the file.
  static Safetensors open(const std::filesystem::path& path);
  // Parses a whole file held in memory (copied; `bytes` may be freed afterwards). `label` names
  // it in error messages. Same checks as open().
  static Safetensors from_bytes(std::span<const std::byte> bytes, std::string label = "<memory>");

  // The path given to open(), or the label given to from_bytes().
  const std::string& source() const noexcept;

  // Every tensor, in the order of their data (by begin offset).
  const std::vector<SafetensorsEntry>& entries() const noexcept;
  bool contains(std::string_view name) const noexcept;
  // The entry called `name`; throws mha::Error if there is none.
  const SafetensorsEntry& entry(std::string_view name) const;

  // The "__metadata__" map (empty when the file has none).
  const std::map<std::string, std::string>& metadata() const noexcept;

  // A contiguous view of the tensor called `name`: into the mapping (zero copy) when aligned,
  // else into the aligned copy made at open. Throws mha::Error when the name is absent, the
  // dtype has no mha type, or the rank exceeds 4.
  TensorView tensor(std::string_view name) const;

  // The raw bytes of any tensor (every dtype), in the file's little-endian layout.
  std::span<const std::byte> bytes(std::string_view name) const;

 private:
  struct Impl;
  explicit Safetensors(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace mha
