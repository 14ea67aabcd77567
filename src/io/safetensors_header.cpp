#include "io/safetensors_header.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "io/safetensors_dtype.hpp"
#include "mha/error.hpp"

namespace mha::io {
namespace {

// The format is little-endian and mha hands out views of the mapped bytes as they are.
static_assert(std::endian::native == std::endian::little,
              "the safetensors reader assumes a little-endian host");

using json = nlohmann::json;

std::string num(std::uint64_t v) { return std::to_string(v); }

std::string in_quotes(std::string_view s) {
  std::string r(1, '\'');  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "'" + s
  r.append(s).push_back('\'');
  return r;
}

class Checker {
 public:
  explicit Checker(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(source_ + ": " + what); }
  [[noreturn]] void fail_tensor(std::string_view name, const std::string& what) const {
    fail("tensor " + in_quotes(name) + ": " + what);
  }

  // An integer 0..max, else an error that says which field of which tensor holds what.
  std::uint64_t unsigned_field(const json& v, std::string_view tensor, const std::string& field,
                               std::uint64_t max) const {
    if (!v.is_number_unsigned())
      fail_tensor(tensor,
                  field + ": expected an integer in 0.." + num(max) + ", got " + describe(v));
    const auto u = v.get<std::uint64_t>();
    if (u > max)
      fail_tensor(tensor, field + ": expected an integer in 0.." + num(max) + ", got " + num(u));
    return u;
  }

  static std::string describe(const json& v) {
    if (v.is_number_integer() || v.is_number_float()) return v.dump();
    if (v.is_string()) return "the string " + v.dump();
    return std::string("a JSON ") + v.type_name();
  }

 private:
  const std::string& source_;
};

// Parses the header text, rejecting duplicate keys at any depth (nlohmann keeps the last of
// two equal keys silently; a file with two tensors of one name is ambiguous, so it is refused).
json parse_header_json(std::string_view text, const Checker& check) {
  std::vector<std::set<std::string>> open_objects;
  std::string top_key, duplicate;
  auto on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        open_objects.pop_back();
        break;
      case json::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (depth == 1) top_key = key;
        if (!open_objects.back().insert(key).second && duplicate.empty())
          duplicate = depth == 1
                          ? "duplicate tensor name " + in_quotes(key)
                          : "tensor " + in_quotes(top_key) + ": duplicate key " + in_quotes(key);
        break;
      }
      default:
        break;
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end(), on_event);
  } catch (const json::exception& e) {
    check.fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) check.fail("header: " + duplicate);
  return root;
}

SafetensorsEntry parse_entry(const std::string& name, const json& v, std::uint64_t data_size,
                             const Checker& check) {
  if (!v.is_object())
    check.fail_tensor(
        name, "expected an object {dtype, shape, data_offsets}, got " + Checker::describe(v));
  for (const auto& [key, _] : v.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      check.fail_tensor(name, "unknown field " + in_quotes(key) +
                                  " (a tensor has dtype, shape and data_offsets)");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!v.contains(key)) check.fail_tensor(name, std::string("missing field '") + key + "'");

  SafetensorsEntry e;
  e.name = name;
  const json& dt = v["dtype"];
  if (!dt.is_string())
    check.fail_tensor(name,
                      "dtype: expected a string such as \"F32\", got " + Checker::describe(dt));
  e.dtype_name = dt.get<std::string>();
  const SafetensorsDType* info = find_safetensors_dtype(e.dtype_name);
  if (!info)
    check.fail_tensor(
        name, "dtype: unknown dtype " + dt.dump() +
                  " (the format's are BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, "
                  "F64, C64, F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, F4, F6_E2M3, "
                  "F6_E3M2)");
  e.dtype = info->mha;

  const json& shape = v["shape"];
  if (!shape.is_array())
    check.fail_tensor(name, "shape: expected an array of sizes, got " + Checker::describe(shape));
  constexpr auto kMaxDim = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < shape.size(); ++i)
    e.shape.push_back(static_cast<std::int64_t>(
        check.unsigned_field(shape[i], name, "shape[" + num(i) + "]", kMaxDim)));
  // The size in bits, so that sub-byte types are exact; every product is checked for overflow.
  // A zero dimension makes the tensor empty whatever the other sizes are.
  std::uint64_t bits = info->bits;
  bool overflow = false;
  if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) {
    bits = 0;
  } else {
    for (const std::int64_t d : e.shape) {
      const auto ud = static_cast<std::uint64_t>(d);
      if (bits > std::numeric_limits<std::uint64_t>::max() / ud) {
        overflow = true;
        break;
      }
      bits *= ud;
    }
  }

  const json& off = v["data_offsets"];
  if (!off.is_array() || off.size() != 2)
    check.fail_tensor(
        name, "data_offsets: expected an array [begin, end], got " + Checker::describe(off));
  const std::uint64_t begin = check.unsigned_field(off[0], name, "data_offsets[0]", data_size);
  const std::uint64_t end = check.unsigned_field(off[1], name, "data_offsets[1]", data_size);
  if (begin > end)
    check.fail_tensor(name,
                      "data_offsets [" + num(begin) + ", " + num(end) + "]: begin is after end");
  e.begin = begin;
  e.end = end;

  std::string shape_str = "[";
  for (std::size_t i = 0; i < e.shape.size(); ++i)
    shape_str += (i ? ", " : "") + std::to_string(e.shape[i]);
  shape_str += "]";
  if (overflow)
    check.fail_tensor(
        name, "shape " + shape_str + " of " + e.dtype_name + " overflows a 64-bit byte count");
  if (bits % 8 != 0)
    check.fail_tensor(name, "shape " + shape_str + " of " + e.dtype_name + " is " + num(bits) +
                                " bits, not a whole number of bytes");
  if (bits / 8 != end - begin)
    check.fail_tensor(name, "shape " + shape_str + " of " + e.dtype_name + " needs " +
                                num(bits / 8) + " bytes, but data_offsets [" + num(begin) + ", " +
                                num(end) + "] hold " + num(end - begin));
  return e;
}

// Sorted by offset, the tensors must tile [0, data_size) exactly.
void check_tiling(const std::vector<SafetensorsEntry>& sorted, std::uint64_t data_size,
                  const Checker& check) {
  std::uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const auto& e : sorted) {
    if (e.begin < covered)
      check.fail_tensor(e.name, "bytes [" + num(e.begin) + ", " + num(e.end) + ") overlap tensor " +
                                    in_quotes(previous->name) + " (bytes [" + num(previous->begin) +
                                    ", " + num(previous->end) + "))");
    if (e.begin > covered)
      check.fail_tensor(e.name, "begins at byte " + num(e.begin) +
                                    " of the data region, leaving bytes [" + num(covered) + ", " +
                                    num(e.begin) + ") to no tensor (a hole)");
    covered = e.end;
    previous = &e;
  }
  if (covered != data_size)
    check.fail("bytes [" + num(covered) + ", " + num(data_size) + ") of the data region (" +
               num(data_size) + " bytes) belong to no tensor");
}

}  // namespace

SafetensorsLayout parse_safetensors_layout(std::span<const std::byte> file,
                                           const std::string& source) {
  const Checker check(source);
  if (file.size() < 8)
    check.fail("a safetensors file begins with an 8-byte header length, but the file holds " +
               num(file.size()) + " bytes");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | std::to_integer<std::uint64_t>(file[static_cast<std::size_t>(i)]);
  if (n > kMaxSafetensorsHeaderBytes)
    check.fail("header length " + num(n) + " exceeds the limit of " +
               num(kMaxSafetensorsHeaderBytes) + " bytes");
  if (n > file.size() - 8)
    check.fail("header length " + num(n) + " exceeds the " + num(file.size() - 8) +
               " bytes after the length field");
  if (n == 0) check.fail("header length is 0: the header must be a JSON object");

  const std::string_view text(reinterpret_cast<const char*>(file.data()) + 8, n);
  if (text.front() != '{')
    check.fail("header must begin with '{', got byte " +
               num(static_cast<unsigned char>(text.front())));
  // nlohmann's lexer stops at a NUL byte as at the end of the text, which would let anything
  // after one through; JSON allows no raw NUL anywhere, so it is refused here.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos)
    check.fail("header is not valid JSON: a NUL byte at offset " + num(nul));
  const json root = parse_header_json(text, check);
  if (!root.is_object())
    check.fail("header must be a JSON object");  // unreachable after '{', kept for clarity

  SafetensorsLayout layout;
  layout.data_start = static_cast<std::size_t>(8 + n);
  const std::uint64_t data_size = file.size() - layout.data_start;
  for (const auto& [name, value] : root.items()) {
    if (name == "__metadata__") {
      if (!value.is_object())
        check.fail("__metadata__: expected an object of strings, got " + Checker::describe(value));
      for (const auto& [key, text_value] : value.items()) {
        if (!text_value.is_string())
          check.fail("__metadata__: key " + in_quotes(key) + ": expected a string, got " +
                     Checker::describe(text_value));
        layout.metadata.emplace(key, text_value.get<std::string>());
      }
      continue;
    }
    layout.entries.push_back(parse_entry(name, value, data_size, check));
  }
  std::sort(layout.entries.begin(), layout.entries.end(),
            [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  check_tiling(layout.entries, data_size, check);
  return layout;
}

}  // namespace mha::io
