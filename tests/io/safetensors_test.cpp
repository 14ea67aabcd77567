// The safetensors reader: valid files (views, copies, every dtype, metadata) and one malformed
// file per rule of include/mha/safetensors.hpp, each of which must be refused with an
// mha::Error naming the file, the tensor and the problem.
#include "mha/safetensors.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "io/safetensors_file.hpp"
#include "mha/error.hpp"

namespace {

using mha::Safetensors;
using mha::testing::f32_counting;
using mha::testing::safetensors_bytes;

// Parses `bytes` (labelled "bad.safetensors") and returns the error message, or fails the test
// when the reader accepts them.
std::string rejection(const std::vector<std::byte>& bytes) {
  try {
    (void)Safetensors::from_bytes(bytes, "bad.safetensors");
  } catch (const mha::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted a malformed file";
  return {};
}

// The message names the file and holds every fragment.
void expect_rejected(const std::vector<std::byte>& bytes,
                     std::initializer_list<const char*> fragments) {
  const std::string m = rejection(bytes);
  EXPECT_EQ(m.rfind("bad.safetensors: ", 0), 0u) << m;
  for (const char* f : fragments)
    EXPECT_NE(m.find(f), std::string::npos) << "'" << f << "' not in: " << m;
}

// One F32 tensor "w" [2, 3] over 24 data bytes, with the given field texts.
std::string one_tensor(const std::string& dtype = "\"F32\"", const std::string& shape = "[2, 3]",
                       const std::string& offsets = "[0, 24]") {
  return R"({"w": {"dtype": )" + dtype + R"(, "shape": )" + shape + R"(, "data_offsets": )" +
         offsets + "}}";
}

TEST(Safetensors, ReadsTensorsMetadataAndOrder) {
  // "b" comes first in the data region although it sorts second by name.
  const std::string header = R"({"__metadata__": {"format": "pt", "note": "x"},)"
                             R"( "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]},)"
                             R"( "b": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]}})";
  std::string data;
  for (std::int64_t v : {7, -9}) data.append(reinterpret_cast<const char*>(&v), 8);
  data += f32_counting(24);
  std::string padded = header;
  while ((padded.size() + 8) % 8) padded += ' ';  // the reference writer pads with spaces
  const Safetensors f = Safetensors::from_bytes(safetensors_bytes(padded, data), "ok");
  ASSERT_EQ(f.entries().size(), 2u);
  EXPECT_EQ(f.entries()[0].name, "b");
  EXPECT_EQ(f.entries()[1].name, "a");
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().size(), 2u);
  EXPECT_TRUE(f.contains("a"));
  EXPECT_FALSE(f.contains("c"));

  const mha::TensorView a = f.tensor("a");
  EXPECT_EQ(a.dtype(), mha::DType::f32);
  EXPECT_EQ(a.shape(), (mha::Shape{2, 3}));
  EXPECT_EQ(a.get({1, 2}), 5.0);
  const mha::TensorView b = f.tensor("b");
  EXPECT_EQ(b.dtype(), mha::DType::i64);
  EXPECT_EQ(b.data_as<const std::int64_t>()[1], -9);
  // Aligned: the view is the file's bytes, not a copy.
  EXPECT_EQ(static_cast<const void*>(f.bytes("a").data()), a.data());
  EXPECT_EQ(f.bytes("a").size(), 24u);

  EXPECT_THROW((void)f.tensor("c"), mha::Error);
  EXPECT_THROW((void)f.entry("c"), mha::Error);
}

TEST(Safetensors, MapsAFileAndViewsOutliveTheFirstHandle) {
  const std::string header = one_tensor();
  const mha::testing::TempFile file("map.safetensors", safetensors_bytes(header, f32_counting(24)));
  mha::TensorView w;
  std::optional<Safetensors> copy;
  {
    const Safetensors f = Safetensors::open(file.path());
    EXPECT_EQ(f.source(), file.path().string());
    copy = f;  // copies share the mapping
    w = f.tensor("w");
  }
  EXPECT_EQ(w.get({0, 1}), 1.0);
  EXPECT_EQ(copy->tensor("w").data(), w.data());
}

TEST(Safetensors, CopiesMisalignedTensorsIntoAlignedMemory) {
  // A 3-byte header makes the data region start at byte 11 of the file: misaligned for F32.
  std::string header = R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}})";
  while ((header.size() + 8) % 4 != 3) header += ' ';
  ASSERT_NE((header.size() + 8) % 4, 0u);
  const Safetensors f = Safetensors::from_bytes(safetensors_bytes(header, f32_counting(12)));
  const mha::TensorView w = f.tensor("w");
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w.data()) % alignof(float), 0u);
  EXPECT_NE(static_cast<const void*>(f.bytes("w").data()), w.data());
  EXPECT_EQ(w.get({2}), 2.0);
  EXPECT_EQ(f.tensor("w").data(), w.data());  // copied once, at open
}

TEST(Safetensors, ScalarsEmptyTensorsAndEveryDtype) {
  const std::string header =
      R"({"s": {"dtype": "F64", "shape": [], "data_offsets": [0, 8]},)"
      R"( "e": {"dtype": "BF16", "shape": [0, 3], "data_offsets": [8, 8]},)"
      R"( "h": {"dtype": "F16", "shape": [1], "data_offsets": [8, 10]},)"
      R"( "m": {"dtype": "BOOL", "shape": [2], "data_offsets": [10, 12]},)"
      R"( "i": {"dtype": "I32", "shape": [1], "data_offsets": [12, 16]},)"
      R"( "q": {"dtype": "F4", "shape": [2, 2], "data_offsets": [16, 18]},)"
      R"( "x": {"dtype": "F6_E3M2", "shape": [4], "data_offsets": [18, 21]},)"
      R"( "r": {"dtype": "BOOL", "shape": [1, 1, 1, 1, 1], "data_offsets": [21, 22]}})";
  std::string data(22, '\0');
  const double pi = 3.25;
  std::memcpy(data.data(), &pi, 8);
  data[10] = 1;
  const Safetensors f = Safetensors::from_bytes(safetensors_bytes(header, data), "dtypes");
  EXPECT_EQ(f.tensor("s").rank(), 0);
  EXPECT_EQ(f.tensor("s").data_as<const double>()[0], 3.25);
  EXPECT_EQ(f.tensor("e").numel(), 0);
  EXPECT_EQ(f.tensor("h").dtype(), mha::DType::f16);
  EXPECT_EQ(f.tensor("m").dtype(), mha::DType::boolean);
  EXPECT_EQ(f.entry("q").dtype_name, "F4");
  EXPECT_EQ(f.bytes("x").size(), 3u);
  EXPECT_FALSE(f.entry("i").dtype.has_value());

  try {
    (void)f.tensor("i");
    ADD_FAILURE() << "I32 viewed";
  } catch (const mha::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dtypes: tensor 'i': dtype I32 is not supported"),
              std::string::npos)
        << e.what();
  }
  try {
    (void)f.tensor("r");
    ADD_FAILURE() << "rank 5 viewed";
  } catch (const mha::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 5"), std::string::npos) << e.what();
  }
}

TEST(Safetensors, AcceptsAFileWithoutTensors) {
  const Safetensors f = Safetensors::from_bytes(safetensors_bytes("{}"));
  EXPECT_TRUE(f.entries().empty());
  const Safetensors g = Safetensors::from_bytes(safetensors_bytes(R"({"__metadata__": {}})"));
  EXPECT_TRUE(g.metadata().empty());
}

TEST(SafetensorsRejects, ShortFilesAndBadHeaderLengths) {
  expect_rejected({}, {"holds 0 bytes"});
  expect_rejected(std::vector<std::byte>(7), {"holds 7 bytes"});
  expect_rejected(safetensors_bytes("{}", "", 100'000'001),
                  {"header length 100000001 exceeds the limit"});
  expect_rejected(safetensors_bytes("{}", "", ~std::uint64_t{0}), {"exceeds the limit"});
  expect_rejected(safetensors_bytes("{}", "", 3), {"header length 3 exceeds the 2 bytes"});
  expect_rejected(safetensors_bytes("", "", 0), {"header length is 0"});
}

TEST(SafetensorsRejects, HeadersThatAreNotAJsonObject) {
  expect_rejected(safetensors_bytes(" {}"), {"must begin with '{'"});
  expect_rejected(safetensors_bytes("[]"), {"must begin with '{'"});
  expect_rejected(safetensors_bytes("{"), {"not valid JSON"});
  expect_rejected(safetensors_bytes(R"({"a": 1} x)"), {"not valid JSON"});
  std::string nul_padded = "{}";
  nul_padded.push_back('\0');
  expect_rejected(safetensors_bytes(nul_padded), {"not valid JSON: a NUL byte at offset 2"});
  std::string nul_inside = R"({"__metadata__": {"a": "b"}})";
  nul_inside[22] = '\0';
  expect_rejected(safetensors_bytes(nul_inside), {"a NUL byte at offset 22"});
  expect_rejected(safetensors_bytes("{\"\xff\": 1}"), {"not valid JSON"});  // not UTF-8
}

TEST(SafetensorsRejects, DuplicateKeys) {
  expect_rejected(
      safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},)"
                        R"( "w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}})"),
      {"duplicate tensor name 'w'"});
  expect_rejected(
      safetensors_bytes(
          R"({"w": {"dtype": "F32", "dtype": "F64", "shape": [0], "data_offsets": [0, 0]}})"),
      {"tensor 'w': duplicate key 'dtype'"});
  expect_rejected(safetensors_bytes(R"({"__metadata__": {"k": "a", "k": "b"}})"),
                  {"duplicate key 'k'"});
}

TEST(SafetensorsRejects, BadMetadata) {
  expect_rejected(safetensors_bytes(R"({"__metadata__": ["a"]})"),
                  {"__metadata__: expected an object of strings"});
  expect_rejected(safetensors_bytes(R"({"__metadata__": {"n": 3}})"),
                  {"__metadata__: key 'n': expected a string, got 3"});
  expect_rejected(safetensors_bytes(R"({"__metadata__": {"n": {"x": "y"}}})"),
                  {"key 'n'", "a JSON object"});
}

TEST(SafetensorsRejects, BadEntries) {
  const std::string d24 = f32_counting(24);
  expect_rejected(safetensors_bytes(R"({"w": [1, 2]})"), {"tensor 'w': expected an object"});
  expect_rejected(safetensors_bytes(R"({"w": {"dtype": "F32", "shape": [0]}})"),
                  {"tensor 'w': missing field 'data_offsets'"});
  expect_rejected(safetensors_bytes(R"({"w": {"shape": [0], "data_offsets": [0, 0]}})"),
                  {"missing field 'dtype'"});
  expect_rejected(safetensors_bytes(R"({"w": {"dtype": "F32", "data_offsets": [0, 0]}})"),
                  {"missing field 'shape'"});
  expect_rejected(
      safetensors_bytes(
          R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0], "strides": [1]}})"),
      {"tensor 'w': unknown field 'strides'"});
  expect_rejected(safetensors_bytes(one_tensor("\"F128\""), d24),
                  {"tensor 'w': dtype: unknown dtype \"F128\""});
  expect_rejected(safetensors_bytes(one_tensor("\"f32\""), d24), {"unknown dtype \"f32\""});
  expect_rejected(safetensors_bytes(one_tensor("32"), d24), {"dtype: expected a string"});
}

TEST(SafetensorsRejects, BadShapes) {
  const std::string d24 = f32_counting(24);
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "6"), d24),
                  {"tensor 'w': shape: expected an array"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, -3]"), d24),
                  {"shape[1]: expected an integer", "got -3"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2.0, 3]"), d24),
                  {"shape[0]", "got 2.0"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[\"2\", 3]"), d24),
                  {"shape[0]", "the string"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[9223372036854775808]"), d24),
                  {"shape[0]: expected an integer in 0..9223372036854775807"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[99999999999999999999999]"), d24),
                  {"shape[0]"});
  // 2^62 · 2^62 elements: the byte count overflows long before any comparison.
  expect_rejected(
      safetensors_bytes(one_tensor("\"F32\"", "[4611686018427387904, 4611686018427387904]"), d24),
      {"tensor 'w': shape [4611686018427387904, 4611686018427387904] of F32 overflows"});
  // 2^61 F32 elements = 2^66 bits: overflows in bits although 2^61 elements fit.
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2305843009213693952]"), d24),
                  {"overflows"});
  // But a zero anywhere makes it empty, however large the rest.
  EXPECT_NO_THROW((void)Safetensors::from_bytes(safetensors_bytes(
      R"({"w": {"dtype": "F32", "shape": [0, 9223372036854775807, 9223372036854775807],)"
      R"( "data_offsets": [0, 0]}})")));
  expect_rejected(
      safetensors_bytes(R"({"w": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}})", "ab"),
      {"tensor 'w': shape [3] of F4 is 12 bits, not a whole number of bytes"});
  expect_rejected(
      safetensors_bytes(one_tensor("\"F32\"", "[2, 2]"), d24),
      {"tensor 'w': shape [2, 2] of F32 needs 16 bytes, but data_offsets [0, 24] hold 24"});
}

TEST(SafetensorsRejects, BadOffsets) {
  const std::string d24 = f32_counting(24);
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[0]"), d24),
                  {"data_offsets: expected an array [begin, end]"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[0, 24, 48]"), d24),
                  {"data_offsets: expected"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "{\"a\": 0}"), d24),
                  {"data_offsets: expected"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[-1, 24]"), d24),
                  {"data_offsets[0]", "got -1"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[24, 0]"), d24),
                  {"begin is after end"});
  // Past the end of the data region (24 bytes): the bound is in the message.
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[8, 32]"), d24),
                  {"tensor 'w': data_offsets[1]: expected an integer in 0..24, got 32"});
  expect_rejected(
      safetensors_bytes(one_tensor("\"F32\"", "[2, 3]", "[0, 18446744073709551615]"), d24),
      {"data_offsets[1]"});
}

TEST(SafetensorsRejects, DataRegionNotTiledExactly) {
  const std::string two = R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                          R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": )";
  expect_rejected(safetensors_bytes(two + "[4, 12]}}", f32_counting(12)),
                  {"tensor 'b': bytes [4, 12) overlap tensor 'a' (bytes [0, 8))"});
  expect_rejected(safetensors_bytes(two + "[12, 20]}}", f32_counting(20)),
                  {"tensor 'b': begins at byte 12", "bytes [8, 12) to no tensor (a hole)"});
  expect_rejected(safetensors_bytes(two + "[8, 16]}}", f32_counting(20)),
                  {"bytes [16, 20) of the data region (20 bytes) belong to no tensor"});
  expect_rejected(safetensors_bytes(one_tensor("\"F32\"", "[1, 3]", "[12, 24]"), f32_counting(24)),
                  {"tensor 'w': begins at byte 12", "bytes [0, 12)"});
  expect_rejected(safetensors_bytes("{}", "x"),
                  {"bytes [0, 1) of the data region (1 bytes) belong to no tensor"});
  // Two views of the same bytes are an overlap too.
  expect_rejected(safetensors_bytes(two + "[0, 8]}}", f32_counting(8)), {"overlap tensor"});
}

TEST(SafetensorsRejects, FilesThatCannotBeOpened) {
  try {
    (void)Safetensors::open("/nonexistent/dir/model.safetensors");
    ADD_FAILURE() << "opened a missing file";
  } catch (const mha::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.safetensors: cannot open"),
              std::string::npos);
  }
  try {
    (void)Safetensors::open(std::filesystem::temp_directory_path());
    ADD_FAILURE() << "opened a directory";
  } catch (const mha::Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
  const mha::testing::TempFile empty("empty.safetensors", {});
  try {
    (void)Safetensors::open(empty.path());
    ADD_FAILURE() << "opened an empty file";
  } catch (const mha::Error& e) {
    EXPECT_NE(std::string(e.what()).find(empty.path().string() + ": a safetensors file begins"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
