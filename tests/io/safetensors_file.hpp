#pragma once
// Builds safetensors files byte by byte for the reader's tests: a header text, a data region,
// and the 8-byte little-endian length in front (which a test may also set to a lie).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mha::testing {

// 8-byte little-endian length (the header's own size unless `claimed` says otherwise), the
// header, the data.
inline std::vector<std::byte> safetensors_bytes(
    const std::string& header, const std::string& data = {},
    std::optional<std::uint64_t> claimed = std::nullopt) {
  const std::uint64_t n = claimed.value_or(header.size());
  std::vector<std::byte> out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::byte>((n >> (8 * i)) & 0xff));
  for (char c : header) out.push_back(static_cast<std::byte>(c));
  for (char c : data) out.push_back(static_cast<std::byte>(c));
  return out;
}

// `count` bytes of little-endian float32 values 0, 1, 2, ... (count a multiple of 4).
inline std::string f32_counting(std::size_t count) {
  std::string s;
  for (std::size_t i = 0; i < count / 4; ++i) {
    const float f = static_cast<float>(i);
    const char* p = reinterpret_cast<const char*>(&f);
    s.append(p, 4);
  }
  return s;
}

// A file under the test's temporary directory holding `bytes`; removed by the destructor.
// (The process id keeps tests that ctest runs in parallel apart.)
class TempFile {
 public:
  TempFile(const std::string& name, std::span<const std::byte> bytes)
      : path_(std::filesystem::temp_directory_path() /
              ("mha_io_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace mha::testing
