#include "common/npy.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "mha/error.hpp"

namespace mha::testing {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error("load_npy: " + path + ": " + what);
}

// Value of 'key': ... in the header dict, as raw text up to the next top-level comma/brace.
std::string field(const std::string& header, const std::string& key, const std::string& path) {
  const auto k = header.find("'" + key + "'");
  if (k == std::string::npos) fail(path, "header lacks '" + key + "'");
  auto p = header.find(':', k);
  if (p == std::string::npos) fail(path, "malformed header");
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p < header.size() && header[p] == '(') {
    const auto e = header.find(')', p);
    if (e == std::string::npos) fail(path, "malformed shape");
    return header.substr(p, e - p + 1);
  }
  auto e = header.find_first_of(",}", p);
  if (e == std::string::npos) fail(path, "malformed header");
  return header.substr(p, e - p);
}

}  // namespace

Tensor load_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open");
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file");
  std::uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    if (!f.read(reinterpret_cast<char*>(b), 2)) fail(path, "truncated header");
    hlen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) fail(path, "truncated header");
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  if (hlen > (1u << 20)) fail(path, "header too long");
  std::string header(hlen, '\0');
  if (!f.read(header.data(), hlen)) fail(path, "truncated header");

  std::string descr = field(header, "descr", path);
  descr.erase(std::remove(descr.begin(), descr.end(), '\''), descr.end());
  if (field(header, "fortran_order", path).find("False") == std::string::npos) fail(path, "Fortran order unsupported");
  DType dt;
  if (descr == "<f4") dt = DType::f32;
  else if (descr == "<f8") dt = DType::f64;
  else if (descr == "<f2") dt = DType::f16;
  else if (descr == "|b1") dt = DType::boolean;
  else if (descr == "<i8") dt = DType::i64;
  else if (descr == "<u2") dt = DType::bf16;
  else fail(path, "unsupported dtype " + descr);

  std::vector<std::int64_t> dims;
  const std::string shape = field(header, "shape", path);
  for (std::size_t p = 1; p < shape.size();) {
    while (p < shape.size() && (shape[p] == ' ' || shape[p] == ',')) ++p;
    if (p >= shape.size() || shape[p] == ')') break;
    std::size_t used = 0;
    dims.push_back(std::stoll(shape.substr(p), &used));
    p += used;
  }
  Tensor t(dt, Shape(std::span<const std::int64_t>(dims)));
  if (!f.read(static_cast<char*>(t.data()), static_cast<std::streamsize>(t.nbytes()))) fail(path, "truncated data");
  return t;
}

}  // namespace mha::testing
