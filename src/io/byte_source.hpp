#pragma once
// The bytes of a whole file, held read-only: a private read-only mapping of a file, or an
// aligned copy of a buffer. Either way the first byte is page- or 64-byte aligned, so a
// tensor's alignment depends only on its offset in the file.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

namespace mha::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::span<const std::byte> bytes() const noexcept = 0;
};

// Maps the regular file `path` read-only (an empty file gives an empty span: it cannot be
// mapped). Throws mha::Error naming the path when it cannot be opened, is not a regular file or
// cannot be mapped.
//
// A mapping shows later changes to the file: a file truncated by another process while mapped
// makes reads past its new end fault (SIGBUS). Model files are not rewritten in place (the fetch
// script replaces them by rename), which is why the mapping is safe here.
std::unique_ptr<ByteSource> map_file(const std::filesystem::path& path);

// An aligned private copy of `bytes`.
std::unique_ptr<ByteSource> copy_bytes(std::span<const std::byte> bytes);

}  // namespace mha::io
