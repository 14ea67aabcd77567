// Loading the model for the subcommands, and tokenizing text for it.
#include "model_input.hpp"

#include <cstdlib>
#include <iostream>

#include "mha/error.hpp"

namespace mha::cli {
namespace {

namespace fs = std::filesystem;

fs::path resolve(const std::string& dir) {
  return dir.empty() ? default_model_dir() : fs::path(dir);
}

// Where the directory came from, for the message when it is not there.
std::string origin(const std::string& dir) {
  if (!dir.empty()) return "from --model";
  if (const char* env = std::getenv("MHA_MODEL_DIR"); env && *env) return "from MHA_MODEL_DIR";
  return "the default";
}

std::string fetch_hint() {
  return "\n  Fetch all-MiniLM-L6-v2 with scripts/fetch_model.sh (it puts it in " +
         default_model_dir().string() +
         "),\n  or name a model directory with --model DIR or the MHA_MODEL_DIR environment "
         "variable.";
}

// A missing directory or file is the first thing a new user meets: say what and how to fix it.
void check_present(const std::string& dir, std::initializer_list<const char*> files) {
  const fs::path path = resolve(dir);
  if (!fs::is_directory(path))
    throw Error("no model directory at " + path.string() + " (" + origin(dir) + ")" + fetch_hint());
  for (const char* name : files)
    if (!fs::exists(path / name))
      throw Error("the model directory " + path.string() + " (" + origin(dir) + ") has no " + name +
                  fetch_hint());
}

// "all-MiniLM-L6-v2" for ".../all-MiniLM-L6-v2" and ".../all-MiniLM-L6-v2/".
std::string model_name(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

[[noreturn]] void damaged(const fs::path& dir, const Error& e) {
  throw Error("cannot load the model in " + dir.string() + ":\n  " + e.what() +
              "\n  scripts/fetch_model.sh --check verifies the files of all-MiniLM-L6-v2 against "
              "their checksums;\n  scripts/fetch_model.sh replaces damaged ones.");
}

}  // namespace

void add_model_option(CLI::App& sub, std::string& dir) {
  sub.add_option(
         "--model", dir,
         "Model directory (default: $MHA_MODEL_DIR, else " + default_model_dir().string() + ")")
      ->option_text("DIR");
}

WordPiece load_tokenizer(const std::string& dir) {
  check_present(dir, {"vocab.txt"});
  const fs::path path = resolve(dir);
  try {
    return WordPiece::load(path / "vocab.txt");
  } catch (const Error& e) {
    damaged(path, e);
  }
}

LoadedModel load_model(const std::string& dir) {
  check_present(dir, {"config.json", "model.safetensors", "vocab.txt"});
  const fs::path path = resolve(dir);
  try {
    return LoadedModel{.dir = path,
                       .name = model_name(path),
                       .model = Model::load(path),
                       .tokenizer = WordPiece::load(path / "vocab.txt")};
  } catch (const Error& e) {
    damaged(path, e);
  }
}

ModelTokens tokenize(const WordPiece& tokenizer, std::string_view text, std::size_t max_length) {
  ModelTokens t{tokenizer.encode(text), 0};
  // Cut before the final [SEP] and keep it: what `tokenizers` does with truncation on (the
  // library's TokenizeOptions::max_length), done here to know how much was cut.
  const std::size_t n = t.tokens.ids.size();
  if (max_length >= 2 && n > max_length) {
    t.dropped = n - max_length;
    const auto keep = static_cast<std::ptrdiff_t>(max_length - 1);
    const auto cut = [keep](auto& v) { v.erase(v.begin() + keep, v.end() - 1); };
    cut(t.tokens.ids);
    cut(t.tokens.tokens);
    cut(t.tokens.offsets);
  }
  return t;
}

void warn_truncated(const std::string& what, const ModelTokens& t, const LoadedModel& m) {
  if (t.dropped == 0) return;
  std::cerr << "mha: warning: " << what << " has " << t.tokens.ids.size() + t.dropped << " tokens; "
            << m.name << " reads at most " << m.model.max_seq_length()
            << " (max_seq_length): the last " << t.dropped << " are dropped\n";
}

}  // namespace mha::cli
