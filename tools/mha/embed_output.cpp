// JSON and .npy writers for `mha embed`.
#include "embed_output.hpp"

#include <bit>
#include <charconv>
#include <nlohmann/json.hpp>

#include "mha/error.hpp"

namespace mha::cli {

static_assert(std::endian::native == std::endian::little,
              ".npy data is written as the host's floats, declared '<f4'");

std::string embeddings_json(const std::string& model, const std::vector<std::string>& sentences,
                            const Tensor& embeddings) {
  const std::int64_t N = embeddings.size(0), E = embeddings.size(1);
  std::string out = "{\"model\": " + nlohmann::json(model).dump() +
                    ", \"dimension\": " + std::to_string(E) + ", \"normalized\": true,\n";
  out += " \"sentences\": [";
  for (std::size_t n = 0; n < sentences.size(); ++n)
    out += (n ? ",\n  " : "\n  ") + nlohmann::json(sentences[n]).dump();
  out += "],\n \"embeddings\": [";
  const float* e = embeddings.data_as<const float>();
  char buf[32];
  for (std::int64_t n = 0; n < N; ++n) {
    out += n ? ",\n  [" : "\n  [";
    for (std::int64_t k = 0; k < E; ++k) {
      // Shortest round-trip form of the f32 (not of the double it widens to).
      const auto r = std::to_chars(buf, buf + sizeof buf, e[n * E + k]);
      if (k) out += ", ";
      out.append(buf, r.ptr);
    }
    out += "]";
  }
  out += "]}\n";
  return out;
}

std::string npy_f32(const Tensor& embeddings) {
  if (embeddings.dtype() != DType::f32 || embeddings.rank() != 2)
    throw Error("npy_f32", "embeddings", "[N, E] f32", embeddings.shape().str());
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(embeddings.size(0)) + ", " +
                       std::to_string(embeddings.size(1)) + "), }";
  // 10 bytes of magic, version and length come first; the data starts 64-byte aligned.
  const std::size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header.append(total - 10 - header.size() - 1, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  out.append(static_cast<const char*>(embeddings.data()), embeddings.nbytes());
  return out;
}

}  // namespace mha::cli
