// mha::Safetensors: the validated layout over the file's bytes, plus aligned copies of the few
// tensors (usually none) whose bytes are not aligned for their element type.
#include "mha/safetensors.hpp"

#include <cstring>
#include <functional>

#include "io/byte_source.hpp"
#include "io/safetensors_dtype.hpp"
#include "io/safetensors_header.hpp"
#include "mha/error.hpp"

namespace mha {

struct Safetensors::Impl {
  std::string source;
  std::unique_ptr<io::ByteSource> file;
  const std::byte* data = nullptr;  // the start of the data region
  std::vector<SafetensorsEntry> entries;
  std::map<std::string, std::size_t, std::less<>> index;  // name → position in entries
  std::map<std::string, std::string> metadata;
  std::map<std::size_t, Tensor> copies;  // entry position → aligned copy (misaligned tensors)

  const SafetensorsEntry& find(std::string_view name) const {
    const auto it = index.find(name);
    if (it == index.end()) throw Error(source + ": no tensor named '" + std::string(name) + "'");
    return entries[it->second];
  }

  static std::shared_ptr<const Impl> build(std::unique_ptr<io::ByteSource> file,
                                           std::string source);
};

namespace {

bool viewable_rank(const SafetensorsEntry& e) {
  return e.shape.size() <= static_cast<std::size_t>(kMaxRank);
}

Shape shape_of(const SafetensorsEntry& e) { return Shape(std::span<const std::int64_t>(e.shape)); }

}  // namespace

std::shared_ptr<const Safetensors::Impl> Safetensors::Impl::build(
    std::unique_ptr<io::ByteSource> file, std::string source) {
  auto impl = std::make_shared<Impl>();
  impl->source = std::move(source);
  const std::span<const std::byte> bytes = file->bytes();
  io::SafetensorsLayout layout = io::parse_safetensors_layout(bytes, impl->source);
  impl->file = std::move(file);
  impl->data = bytes.data() + layout.data_start;
  impl->entries = std::move(layout.entries);
  impl->metadata = std::move(layout.metadata);
  for (std::size_t i = 0; i < impl->entries.size(); ++i) {
    const SafetensorsEntry& e = impl->entries[i];
    impl->index.emplace(e.name, i);
    if (!e.dtype || !viewable_rank(e)) continue;
    // A view reads elements through typed pointers, which must be aligned; the rare tensor that
    // is not gets an aligned copy now, so that tensor() stays const and lock-free.
    const std::byte* p = impl->data + e.begin;
    if (reinterpret_cast<std::uintptr_t>(p) % dtype_size(*e.dtype) != 0) {
      Tensor copy(*e.dtype, shape_of(e));
      if (e.end > e.begin) std::memcpy(copy.data(), p, static_cast<std::size_t>(e.end - e.begin));
      impl->copies.emplace(i, std::move(copy));
    }
  }
  return impl;
}

Safetensors Safetensors::open(const std::filesystem::path& path) {
  return Safetensors(Impl::build(io::map_file(path), path.string()));
}

Safetensors Safetensors::from_bytes(std::span<const std::byte> bytes, std::string label) {
  return Safetensors(Impl::build(io::copy_bytes(bytes), std::move(label)));
}

const std::string& Safetensors::source() const noexcept { return impl_->source; }

const std::vector<SafetensorsEntry>& Safetensors::entries() const noexcept {
  return impl_->entries;
}

bool Safetensors::contains(std::string_view name) const noexcept {
  return impl_->index.contains(name);
}

const SafetensorsEntry& Safetensors::entry(std::string_view name) const {
  return impl_->find(name);
}

const std::map<std::string, std::string>& Safetensors::metadata() const noexcept {
  return impl_->metadata;
}

TensorView Safetensors::tensor(std::string_view name) const {
  const SafetensorsEntry& e = impl_->find(name);
  if (!e.dtype)
    throw Error(impl_->source + ": tensor '" + e.name + "': dtype " + e.dtype_name +
                " is not supported by mha (supported: " +
                std::string(io::viewable_safetensors_dtypes()) + ")");
  if (!viewable_rank(e))
    throw Error(impl_->source + ": tensor '" + e.name + "': rank " +
                std::to_string(e.shape.size()) + " exceeds mha's maximum rank " +
                std::to_string(kMaxRank));
  const std::size_t i = impl_->index.find(name)->second;
  if (const auto it = impl_->copies.find(i); it != impl_->copies.end()) return it->second.view();
  return TensorView(impl_->data + e.begin, *e.dtype, shape_of(e));
}

std::span<const std::byte> Safetensors::bytes(std::string_view name) const {
  const SafetensorsEntry& e = impl_->find(name);
  return {impl_->data + e.begin, static_cast<std::size_t>(e.end - e.begin)};
}

}  // namespace mha
