// Writing the pictures to disk: one function, so every writer reports a failure the same way.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "mha/error.hpp"
#include "mha/viz.hpp"

namespace mha::viz {

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (f) f.close();
  if (!f)
    throw Error("mha::viz::write_file", "path", "a file that can be written",
                "'" + path.string() + "' (" + std::strerror(errno) + ")");
}

void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  write_file(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace mha::viz
