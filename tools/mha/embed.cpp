// `mha embed [TEXT...] [--file F] [--format json|npy] [--batch N] [--out FILE]`: sentence
// embeddings [N, E] (mean pooling, then L2 normalization: mha::Model::embed) for sentences
// given as arguments, one per line in a file, or one per line on stdin when neither is given.
// Output formats: embed_output.hpp.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "commands.hpp"
#include "embed_output.hpp"
#include "mha/error.hpp"
#include "model_input.hpp"
#include "progress.hpp"
#include "text_input.hpp"

namespace mha::cli {
namespace {

// Truncation warnings named one by one before they are only counted.
constexpr std::size_t kWarnings = 3;

struct EmbedOptions {
  std::vector<std::string> texts;
  std::string file;
  std::string format;  // "" = npy when --out ends in .npy, else json
  std::int64_t batch = 32;
  std::string out;
  std::string model_dir;
  bool progress = false, time = false;
};

std::string text_problem(const std::string& text) {
  if (std::string bad = utf8_problem(text); !bad.empty()) return bad;
  if (is_blank(text)) return "an empty sentence; give some text";
  return "";
}

std::vector<std::string> read_sentences(const EmbedOptions& o) {
  if (!o.texts.empty()) return o.texts;
  const std::string path = o.file.empty() ? "-" : o.file;
  if (path == "-" && isatty(STDIN_FILENO))
    std::cerr << "mha embed: reading sentences from stdin, one per line (end with Ctrl-D)\n";
  Lines lines = read_lines(path);
  if (lines.text.empty())
    throw Error(input_name(path) + ": no sentences to embed" +
                (lines.blank ? " (only " + std::to_string(lines.blank) + " blank lines)" : ""));
  if (lines.blank)
    std::cerr << "mha embed: " << input_name(path) << ": skipped " << lines.blank << " blank line"
              << (lines.blank == 1 ? "" : "s") << "\n";
  return std::move(lines.text);
}

// Model::embed's batching — longest sentences first, `batch` at a time — done here one batch
// per call, so that the progress bar can move between batches. The result is the same.
Tensor embed_batches(const Model& model, const std::vector<TokenIds>& ids, std::int64_t batch,
                     Progress& progress) {
  const auto N = static_cast<std::int64_t>(ids.size());
  const std::int64_t E = model.config().hidden_size;
  std::vector<std::size_t> order(ids.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ids[a].size() > ids[b].size(); });
  Tensor out(DType::f32, Shape{N, E});
  for (std::int64_t start = 0; start < N; start += batch) {
    const std::int64_t count = std::min(batch, N - start);
    std::vector<TokenIds> chunk;
    for (std::int64_t k = 0; k < count; ++k)
      chunk.push_back(ids[order[static_cast<std::size_t>(start + k)]]);
    const Tensor e = model.embed(chunk, batch);
    for (std::int64_t k = 0; k < count; ++k)
      std::copy_n(e.data_as<const float>() + k * E, E,
                  out.data_as<float>() +
                      static_cast<std::int64_t>(order[static_cast<std::size_t>(start + k)]) * E);
    progress.update(static_cast<std::size_t>(start + count));
  }
  progress.finish();
  return out;
}

void write_output(const std::string& bytes, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) throw Error("stdout: cannot write the embeddings");
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(path + ": cannot write the embeddings");
}

int run_embed(const EmbedOptions& o) {
  const std::string format = !o.format.empty() ? o.format
                             : (o.out.size() > 4 && o.out.compare(o.out.size() - 4, 4, ".npy") == 0)
                                 ? "npy"
                                 : "json";
  const bool to_stdout = o.out.empty() || o.out == "-";
  if (format == "npy" && to_stdout && isatty(STDOUT_FILENO))
    throw UsageError("--format npy is binary: give --out FILE.npy, or redirect stdout");
  const std::vector<std::string> sentences = read_sentences(o);
  const LoadedModel m = load_model(o.model_dir);

  // The timed part (--time): tokenizing and embedding, as sentence-transformers' encode().
  const auto start = std::chrono::steady_clock::now();
  std::vector<TokenIds> ids;
  std::size_t truncated = 0;
  for (std::size_t n = 0; n < sentences.size(); ++n) {
    ModelTokens t =
        tokenize(m.tokenizer, sentences[n], static_cast<std::size_t>(m.model.max_seq_length()));
    if (t.dropped && ++truncated <= kWarnings)
      warn_truncated("sentence " + std::to_string(n + 1), t, m);
    ids.push_back(std::move(t.tokens.ids));
  }
  if (truncated > kWarnings)
    std::cerr << "mha: warning: " << truncated - kWarnings << " more sentences truncated to "
              << m.model.max_seq_length() << " tokens\n";
  Progress progress(
      "mha embed", ids.size(),
      o.progress || (isatty(STDERR_FILENO) && static_cast<std::int64_t>(ids.size()) > o.batch));
  const Tensor embeddings = embed_batches(m.model, ids, o.batch, progress);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.time) {
    char line[200];
    std::snprintf(line, sizeof line,
                  "mha embed: %zu sentences in %.4f s (%.1f sentences/s): tokenize + encode + "
                  "pool, batch %lld; model load and output not included\n",
                  sentences.size(), seconds, static_cast<double>(sentences.size()) / seconds,
                  static_cast<long long>(o.batch));
    std::cerr << line;
  }
  write_output(
      format == "npy" ? npy_f32(embeddings) : embeddings_json(m.name, sentences, embeddings),
      o.out);
  return 0;
}

}  // namespace

Command add_embed_command(CLI::App& app, const GlobalOptions&) {
  auto opt = std::make_shared<EmbedOptions>();
  CLI::App* sub = app.add_subcommand(
      "embed",
      "Sentence embeddings [N, E] (mean pooling, L2-normalized) of sentences given as arguments, "
      "in a file (one per line) or on stdin");
  CLI::Option* texts = sub->add_option("text", opt->texts, "Sentences to embed")
                           ->check(CLI::Validator(text_problem, "", "text"));
  sub->add_option("--file", opt->file,
                  "Read sentences from FILE, one per line (blank lines skipped; - is stdin)")
      ->option_text("FILE")
      ->excludes(texts);
  sub->add_option("--format", opt->format,
                  "json (default) or npy (default when --out ends in .npy)")
      ->check(CLI::IsMember({"json", "npy"}));
  sub->add_option("--batch", opt->batch, "Sentences encoded together")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  sub->add_option("--out", opt->out, "Write to FILE (default: stdout)")->option_text("FILE");
  add_model_option(*sub, opt->model_dir);
  sub->add_flag("--progress", opt->progress,
                "Show a progress bar on stderr (shown anyway when stderr is a terminal and there "
                "is more than one batch)");
  sub->add_flag("--time", opt->time,
                "Print on stderr the time of tokenizing and embedding (not loading or writing)");
  return {sub, [opt] { return run_embed(*opt); }};
}

}  // namespace mha::cli
