// `mha tokenize TEXT`: the model's WordPiece tokens of a text, with their ids and the byte
// offsets [begin, end) of the characters each came from — a table, or JSON with --json:
//   {"text": "...", "ids": [101, ...], "tokens": ["[CLS]", ...], "offsets": [[0, 0], ...]}
// Only vocab.txt is read. Nothing is truncated unless --max-length is given (explain and embed
// cut what is longer than the model's max_seq_length; this shows the whole text).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "model_input.hpp"
#include "text_input.hpp"

namespace mha::cli {
namespace {

struct TokenizeOptions {
  std::string text;
  std::string model_dir;
  std::optional<std::size_t> max_length;
  bool json = false;
};

std::string text_problem(const std::string& text) { return utf8_problem(text); }

// The bytes of the text a token came from, printable: control characters (which the tokenizer
// drops but an offset range may span) shown as \xNN, never sent to the terminal.
std::string source_of(const std::string& text, const TokenOffsets& o) {
  std::string s;
  for (std::size_t i = o.begin; i < o.end && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      s += buf;
    } else {
      s += text[i];
    }
  }
  return s;
}

std::string pad(const std::string& s, std::size_t width, bool right = false) {
  std::size_t cols = 0;
  for (const char c : s) cols += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  const std::string fill = cols < width ? std::string(width - cols, ' ') : "";
  return right ? fill + s : s + fill;
}

int run_tokenize(const TokenizeOptions& o) {
  if (is_blank(o.text)) throw UsageError("no text to tokenize");
  const WordPiece wp = load_tokenizer(o.model_dir);
  const TokenizedText t =
      o.max_length ? tokenize(wp, o.text, *o.max_length).tokens : wp.encode(o.text);
  if (o.json) {
    nlohmann::json offsets = nlohmann::json::array();
    for (const TokenOffsets& r : t.offsets) offsets.push_back({r.begin, r.end});
    std::cout << nlohmann::json{{"text", o.text},
                                {"ids", t.ids},
                                {"tokens", t.tokens},
                                {"offsets", offsets}}
                     .dump()
              << "\n";
    return 0;
  }
  std::size_t width = 5;
  for (const std::string& tok : t.tokens) width = std::max(width, pad(tok, 0).size());
  width = std::min<std::size_t>(width, 24);
  std::cout << pad("#", 4, true) << pad("id", 8, true) << "  " << pad("token", width)
            << "  bytes      text\n";
  for (std::size_t i = 0; i < t.ids.size(); ++i) {
    const TokenOffsets& r = t.offsets[i];
    const bool added = r.begin == r.end;  // [CLS], [SEP]: not from the text
    std::string line =
        pad(std::to_string(i), 4, true) + pad(std::to_string(t.ids[i]), 8, true) + "  " +
        pad(t.tokens[i], width) + "  " +
        pad(added ? "-" : std::to_string(r.begin) + ".." + std::to_string(r.end), 9) + "  " +
        (added ? "" : source_of(o.text, r));
    line.erase(line.find_last_not_of(' ') + 1);
    std::cout << line << "\n";
  }
  std::cout << t.ids.size() << " tokens (bytes: [begin, end) in the UTF-8 text)\n";
  return 0;
}

}  // namespace

Command add_tokenize_command(CLI::App& app, const GlobalOptions&) {
  auto opt = std::make_shared<TokenizeOptions>();
  CLI::App* sub = app.add_subcommand(
      "tokenize", "The model's WordPiece tokens of a text: ids, tokens and byte offsets");
  sub->add_option("text", opt->text, "The text to tokenize")
      ->required()
      ->check(CLI::Validator(text_problem, "", "text"));
  add_model_option(*sub, opt->model_dir);
  sub->add_option("--max-length", opt->max_length,
                  "Keep at most N tokens, [CLS] and [SEP] included, as the model would")
      ->check(CLI::Range(2, 1 << 20));
  sub->add_flag("--json", opt->json, "Print JSON: text, ids, tokens, offsets");
  return {sub, [opt] { return run_tokenize(*opt); }};
}

}  // namespace mha::cli
