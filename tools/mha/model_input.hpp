#pragma once
// The pretrained model and its tokenizer as the subcommands load them: from --model DIR, else
// mha::default_model_dir() ($MHA_MODEL_DIR, else the directory scripts/fetch_model.sh fills),
// with messages that say how to get a model when there is none and what is wrong when a file is
// damaged; and text tokenized for it, truncated to its max_seq_length.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "mha/model.hpp"
#include "mha/tokenizer.hpp"

namespace mha::cli {

struct LoadedModel {
  std::filesystem::path dir;
  std::string name;  // the directory's name, e.g. "all-MiniLM-L6-v2"
  Model model;
  WordPiece tokenizer;  // the model's vocab.txt
};

// Adds `--model DIR` to a subcommand.
void add_model_option(CLI::App& sub, std::string& dir);

// Loads the model in `dir` ("" = the default). Throws mha::Error: for a missing directory or
// file, naming it, where the directory came from, and how to fetch the model; for a damaged
// file, the library's message (file and field or tensor) and how to check and replace the files.
LoadedModel load_model(const std::string& dir);
// Only the tokenizer (vocab.txt), with the same messages.
WordPiece load_tokenizer(const std::string& dir);

// The tokens the model reads for `text`: [CLS] … [SEP], at most max_length ids in all. Longer
// text loses its last tokens (the [SEP] stays), as sentence-transformers truncates; `dropped`
// says how many were cut.
struct ModelTokens {
  TokenizedText tokens;
  std::size_t dropped = 0;
};
ModelTokens tokenize(const WordPiece& tokenizer, std::string_view text, std::size_t max_length);

// The warning for a truncated text on stderr: "<what> has N tokens; <model> reads at most M
// (max_seq_length): the last K are dropped".
void warn_truncated(const std::string& what, const ModelTokens& t, const LoadedModel& m);

}  // namespace mha::cli
