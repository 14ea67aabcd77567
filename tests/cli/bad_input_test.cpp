// Bad input to the model subcommands: a missing or damaged model, empty text, invalid UTF-8 in
// arguments, files and stdin. Each must be a clear message on stderr and a non-zero exit code —
// 2 for a command line that asks the impossible, 1 for what goes wrong while running — never a
// crash (an exit code of 128 + signal).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/cli_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using mha::test::Contains;
using mha::test::kError;
using mha::test::kUsage;
using mha::test::mha_cli;
using mha::test::ProcessResult;
using mha::test::ScratchDir;

// One command line per model subcommand, each given `text` and the model option.
std::vector<std::vector<std::string>> each_command(const std::string& text,
                                                   const std::vector<std::string>& model) {
  std::vector<std::vector<std::string>> all = {
      {"explain", text, "--no-images", "--out", "/dev/null"}, {"embed", text}, {"tokenize", text}};
  for (auto& args : all) args.insert(args.end(), model.begin(), model.end());
  return all;
}

// A copy of the tiny model that a test may damage.
struct TinyCopy : ScratchDir {
  explicit TinyCopy(const std::string& name) : ScratchDir(name) {
    fs::copy(mha::test::tiny_model(), path() / "model", fs::copy_options::recursive);
  }
  fs::path dir() const { return path() / "model"; }
};

TEST(BadInput, AMissingModelSaysHowToFetchIt) {
  for (const auto& args : each_command("a cat", {"--model", "/nonexistent/model"})) {
    const ProcessResult r = mha_cli(args);
    EXPECT_EQ(r.exit_code, kError) << args[0];
    EXPECT_TRUE(Contains(r.err,
                         "^mha: error: no model directory at /nonexistent/model \\(from "
                         "--model\\)\n"));
    EXPECT_TRUE(Contains(r.err, "scripts/fetch_model.sh"));
    EXPECT_TRUE(Contains(r.err, "--model DIR or the MHA_MODEL_DIR environment variable"));
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // The environment variable, when it is where the directory came from.
  const ProcessResult env = mha_cli({"explain"}, {{"MHA_MODEL_DIR", "/nonexistent/env"}});
  EXPECT_EQ(env.exit_code, kError);
  EXPECT_TRUE(Contains(env.err, "no model directory at /nonexistent/env \\(from MHA_MODEL_DIR\\)"));
}

TEST(BadInput, AMissingFileIsNamed) {
  for (const char* file : {"model.safetensors", "config.json", "vocab.txt"}) {
    const TinyCopy copy(std::string("missing_") + file);
    fs::remove(copy.dir() / file);
    const ProcessResult r = mha_cli({"embed", "a cat", "--model", copy.dir().string()});
    EXPECT_EQ(r.exit_code, kError) << file;
    EXPECT_TRUE(Contains(r.err, "the model directory " + copy.dir().string() +
                                    " \\(from --model\\) has no " + file + "\n"));
    EXPECT_TRUE(Contains(r.err, "scripts/fetch_model.sh"));
  }
}

TEST(BadInput, DamagedModelFilesAreReportedWithTheFileAndTheFix) {
  struct Damage {
    const char* file;
    std::string bytes;   // the new contents
    const char* reason;  // what the library says about it
  };
  const std::string weights = mha::test::read_file(mha::test::tiny_model() / "model.safetensors");
  const std::vector<Damage> damages = {
      {"model.safetensors", weights.substr(0, weights.size() / 2), "model\\.safetensors"},
      {"model.safetensors", "", "model\\.safetensors"},
      {"config.json", "{\"hidden_size\": 12,", "config\\.json: not valid JSON"},
      {"config.json", "{\"hidden_size\": \"twelve\"}", "config\\.json"},
      {"vocab.txt", "[PAD]\n[UNK]\n[UNK]\n", "vocab\\.txt"},
  };
  for (const Damage& d : damages) {
    const TinyCopy copy("damaged");
    mha::test::write_file(copy.dir() / d.file, d.bytes);
    for (const char* command : {"explain", "embed"}) {
      const ProcessResult r = mha_cli({command, "a cat", "--model", copy.dir().string()});
      EXPECT_EQ(r.exit_code, kError) << command << " " << d.file;
      EXPECT_TRUE(Contains(r.err, "^mha: error: cannot load the model in " + copy.dir().string() +
                                      ":\n  .*" + d.reason));
      EXPECT_TRUE(Contains(r.err, "scripts/fetch_model.sh --check"));
      EXPECT_TRUE(r.out.empty()) << r.out;
    }
  }
}

TEST(BadInput, EmptyTextIsAUsageError) {
  const std::vector<std::string> tiny = {"--model", mha::test::tiny_model().string()};
  for (const std::string text : {"", " ", " \t\n "})
    for (const auto& args : each_command(text, tiny)) {
      const ProcessResult r = mha_cli(args);
      EXPECT_EQ(r.exit_code, kUsage) << args[0] << " \"" << text << "\"";
      EXPECT_TRUE(Contains(r.err, "no words to attend to|an empty sentence|no text to tokenize"))
          << args[0];
      EXPECT_TRUE(r.out.empty()) << r.out;
    }
  // Text of characters the tokenizer removes (controls): nothing left to attend to.
  const ProcessResult r = mha_cli({"explain", "\x01\x02", "--model", tiny[1]});
  EXPECT_EQ(r.exit_code, kUsage);
  EXPECT_TRUE(Contains(r.err, "no tokens to attend to"));
  // No sentence on stdin, or only blank lines.
  for (const std::string input : {"", "\n \n"}) {
    const ProcessResult s = mha_cli({"embed", "--model", tiny[1]}, {}, input);
    EXPECT_EQ(s.exit_code, kError);
    EXPECT_TRUE(Contains(s.err, "stdin: no sentences to embed"));
  }
}

TEST(BadInput, InvalidUtf8InArguments) {
  const std::vector<std::string> tiny = {"--model", mha::test::tiny_model().string()};
  for (const std::string text : {
           "\xff",                // never valid
           "abc \x80",            // a lone continuation byte
           "caf\xc3",             // truncated two-byte sequence
           "\xc0\xaf",            // overlong '/'
           "\xe0\x80\xaf",        // overlong, three bytes
           "\xed\xa0\x80",        // UTF-16 surrogate U+D800
           "\xf4\x90\x80\x80",    // U+110000, above the Unicode range
           "\xf0\x9f\x98",        // truncated four-byte sequence
           "ok \xe2\x28\xa1 ok",  // bad second byte
       })
    for (const auto& args : each_command(text, tiny)) {
      const ProcessResult r = mha_cli(args);
      EXPECT_EQ(r.exit_code, kUsage) << args[0] << " " << ::testing::PrintToString(text);
      EXPECT_TRUE(Contains(r.err, "not valid UTF-8 \\(byte 0x[0-9a-f]{2} at offset [0-9]+\\)"));
      EXPECT_TRUE(r.out.empty()) << r.out;
    }
  const ProcessResult r = mha_cli({"embed", "fine", "ok \xe2\x28\xa1 ok", "--model", tiny[1]});
  EXPECT_TRUE(Contains(r.err, "not valid UTF-8 \\(byte 0xe2 at offset 3\\)"));
}

TEST(BadInput, InvalidUtf8InFilesAndStdin) {
  const ScratchDir dir("utf8_file");
  const std::string lines = "a cat\nthe \xc3\x28 dog\n";
  mha::test::write_file(dir / "bad.txt", lines);
  const std::string tiny = mha::test::tiny_model().string();
  const ProcessResult f = mha_cli({"embed", "--file", (dir / "bad.txt").string(), "--model", tiny});
  EXPECT_EQ(f.exit_code, kError);
  EXPECT_TRUE(Contains(f.err, "bad\\.txt, line 2: not valid UTF-8 \\(byte 0xc3 at offset 4\\)"));
  EXPECT_TRUE(f.out.empty());
  const ProcessResult s = mha_cli({"embed", "--model", tiny}, {}, lines);
  EXPECT_EQ(s.exit_code, kError);
  EXPECT_TRUE(Contains(s.err, "stdin, line 2: not valid UTF-8 \\(byte 0xc3 at offset 4\\)"));
  const ProcessResult missing = mha_cli({"embed", "--file", (dir / "none.txt").string()});
  EXPECT_EQ(missing.exit_code, kError);
  EXPECT_TRUE(Contains(missing.err, "none\\.txt: cannot open: No such file or directory"));
}

TEST(BadInput, ConflictingOrInvalidOptions) {
  const std::string tiny = mha::test::tiny_model().string();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"embed", "a cat", "--file", "x.txt", "--model", tiny},
                                             {"embed", "a cat", "--format", "csv", "--model", tiny},
                                             {"embed", "a cat", "--batch", "0", "--model", tiny},
                                             {"tokenize"},
                                             {"tokenize", "a", "--max-length", "1"},
                                             {"explain", "--layer", "one"}}) {
    const ProcessResult r = mha_cli(args);
    EXPECT_EQ(r.exit_code, kUsage) << ::testing::PrintToString(args);
    EXPECT_FALSE(r.err.empty());
  }
}

}  // namespace
