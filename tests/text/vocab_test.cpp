// Vocabulary files: what load and parse accept and what they reject, with the file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mha/error.hpp"
#include "mha/tokenizer.hpp"
#include "tiny_vocab.hpp"

namespace mha::test {
namespace {

const std::string kSpecials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n";

// The message of the mha::Error that parsing `text` throws ("" if none).
std::string parse_error(const std::string& text) {
  try {
    WordPiece::parse(text, "v.txt");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_error(const std::string& text, const std::string& fragment) {
  const std::string message = parse_error(text);
  EXPECT_NE(message.find(fragment), std::string::npos)
      << "message: '" << message << "', wanted: '" << fragment << "'";
  EXPECT_NE(message.find("'v.txt'"), std::string::npos) << message;
}

TEST(Vocab, AcceptsLfCrlfAndNoFinalNewline) {
  EXPECT_EQ(WordPiece::parse(kSpecials + "a\nb").vocab_size(), 6u);
  EXPECT_EQ(WordPiece::parse("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nb\r\n").id_of("b"), 4);
  EXPECT_EQ(WordPiece::parse(kSpecials + "##a\n").id_of("##a"), 4);
  // Specials anywhere; [MASK] optional.
  EXPECT_EQ(WordPiece::parse("x\n[SEP]\n[CLS]\n[UNK]\n[PAD]\n").cls_id(), 2);
}

TEST(Vocab, RejectsEmptyFilesAndLines) {
  expect_error("", "no tokens");
  expect_error(kSpecials + "a\n\nb\n", "line 6: empty line");
  expect_error("\n" + kSpecials, "line 1: empty line");
  expect_error(kSpecials + "a\n\n", "line 6: empty line");
}

TEST(Vocab, RejectsDuplicates) {
  expect_error(kSpecials + "the\ncat\nthe\n", "line 7: duplicate token 'the' (first on line 5)");
  expect_error(kSpecials + "[CLS]\n", "line 5: duplicate token '[CLS]' (first on line 3)");
}

TEST(Vocab, RejectsMissingSpecialTokens) {
  expect_error("[PAD]\n[CLS]\n[SEP]\na\n", "no '[UNK]' token");
  expect_error("[PAD]\n[UNK]\n[SEP]\n", "no '[CLS]' token");
  expect_error("[PAD]\n[UNK]\n[CLS]\n", "no '[SEP]' token");
  expect_error("[UNK]\n[CLS]\n[SEP]\n", "no '[PAD]' token");
  expect_error("[pad]\n[unk]\n[cls]\n[sep]\n", "no '[UNK]' token");  // exact spelling
}

TEST(Vocab, RejectsSpacesControlsAndInvalidUtf8) {
  expect_error(kSpecials + "a b\n", "line 5: the token holds a space");
  expect_error(kSpecials + "ab \n", "line 5: the token holds a space");
  expect_error(kSpecials + "a\tb\n", "line 5: the token holds a tab");
  expect_error(kSpecials +
                   "a\x01"
                   "b\n",
               "line 5: the token holds a control character (byte 0x01)");
  expect_error(kSpecials + "ok\n\xC3\x28\n", "line 6: invalid UTF-8");
  expect_error(kSpecials + "\xED\xA0\x80\n", "line 5: invalid UTF-8: an encoded surrogate U+D800");
  expect_error(kSpecials + "a\rb\n", "line 5");  // a lone CR inside a line
}

TEST(Vocab, LoadNamesTheFile) {
  const auto dir = std::filesystem::temp_directory_path() / "mha_vocab_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "bad_vocab.txt";
  std::ofstream(path, std::ios::binary) << kSpecials << "dup\ndup\n";
  try {
    WordPiece::load(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("mha::WordPiece::load: '" + path.string() + "' line 6: duplicate token 'dup'"),
              std::string::npos)
        << m;
  }
  std::ofstream(path, std::ios::binary) << kSpecials << "ok\n";
  EXPECT_EQ(WordPiece::load(path).vocab_size(), 5u);
  std::filesystem::remove_all(dir);
  try {
    WordPiece::load(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open '" + path.string() + "'"), std::string::npos)
        << e.what();
  }
}

TEST(Vocab, TinyVocabularyLoads) { EXPECT_EQ(tiny().vocab_size(), 45u); }

}  // namespace
}  // namespace mha::test
