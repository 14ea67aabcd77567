#include "io/byte_source.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "mha/error.hpp"

namespace mha::io {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int err) {
  throw Error(path.string() + ": " + what + ": " + std::strerror(err));
}

class MappedFile final : public ByteSource {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path, "cannot open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      fail(path, "cannot stat", err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(path.string() + ": not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        fail(path, "cannot map", err);
      }
      data_ = static_cast<const std::byte*>(p);
    }
    ::close(fd);  // the mapping keeps the file alive
  }
  ~MappedFile() override {
    if (data_) ::munmap(const_cast<std::byte*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const std::byte> bytes() const noexcept override { return {data_, size_}; }

 private:
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

class OwnedBytes final : public ByteSource {
 public:
  explicit OwnedBytes(std::span<const std::byte> src) : size_(src.size()) {
    if (size_ == 0) return;
    data_.reset(static_cast<std::byte*>(::operator new (size_, std::align_val_t{kAlignment})));
    std::memcpy(data_.get(), src.data(), size_);
  }
  std::span<const std::byte> bytes() const noexcept override { return {data_.get(), size_}; }

 private:
  static constexpr std::size_t kAlignment = 64;  // as mha::Tensor: any element type is aligned
  struct Free {
    void operator()(std::byte* p) const noexcept {
      ::operator delete (p, std::align_val_t{kAlignment});
    }
  };
  std::unique_ptr<std::byte, Free> data_;
  std::size_t size_;
};

}  // namespace

std::unique_ptr<ByteSource> map_file(const std::filesystem::path& path) {
  return std::make_unique<MappedFile>(path);
}

std::unique_ptr<ByteSource> copy_bytes(std::span<const std::byte> bytes) {
  return std::make_unique<OwnedBytes>(bytes);
}

}  // namespace mha::io
