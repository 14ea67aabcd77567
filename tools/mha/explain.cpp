// `mha explain [TEXT]`: multi-head attention in the pretrained model, on one sentence. The six
// steps of one layer and head with their real shapes and numbers (checked against the
// reference), a heatmap of that head in the terminal, what every head attends to, and the
// pictures: attention.html (head view, model view, six steps), PNG and SVG heatmaps.
//
// The layer and head shown default to the model's last ones: in all-MiniLM-L6-v2, layer 5 head
// 11, a head that looks at the sentence's nouns ("fox", "dog" in the default sentence).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "explain_pictures.hpp"
#include "explain_steps.hpp"
#include "head_focus.hpp"
#include "mha/cpu_info.hpp"
#include "mha/threads.hpp"
#include "mha/viz.hpp"
#include "model_input.hpp"
#include "text_input.hpp"

namespace mha::cli {
namespace {

constexpr const char* kDefaultText = "The quick brown fox jumps over the lazy dog.";
// How many heads the "focused on words" list names.
constexpr std::size_t kWordHeads = 6;
// The longest sentence drawn as a terminal heatmap: two columns per token plus the labels fit
// in about 120 columns.
constexpr std::int64_t kTerminalTokens = 48;

struct ExplainOptions {
  std::string text = kDefaultText;
  std::string model_dir;
  std::optional<std::int64_t> layer, head;
  std::string out = "attention.html";
  bool images = true;
};

// Why TEXT cannot be explained, or "" when it can (a CLI11 validator: a message becomes a usage
// error before anything is loaded).
std::string text_problem(const std::string& text) {
  if (std::string bad = utf8_problem(text); !bad.empty()) return bad;
  if (is_blank(text))
    return "no words to attend to; give a sentence, e.g. \"" + std::string(kDefaultText) + "\"";
  return "";
}

std::int64_t pick(const std::optional<std::int64_t>& asked, std::int64_t count, const char* what) {
  if (!asked) return count - 1;
  if (*asked < 0 || *asked >= count)
    throw UsageError(std::string("--") + what + " " + std::to_string(*asked) + ": the model has " +
                     what + "s 0.." + std::to_string(count - 1));
  return *asked;
}

void print_header(const LoadedModel& m, const ExplainOptions& o, const TokenizedText& t,
                  const StepFocus& f) {
  const BertConfig& c = m.model.config();
  std::cout << "mha explain: multi-head attention in " << m.name << ", step by step\n\n"
            << "model    " << m.name << ": " << c.num_hidden_layers << " layers x "
            << c.num_attention_heads << " heads of " << c.head_dim() << ", hidden " << c.hidden_size
            << "  (" << m.dir.string() << ")\n"
            << "text     " << quoted(o.text) << "\n"
            << "tokens   S = " << t.tokens.size() << ":";
  for (std::size_t i = 0; i < t.tokens.size(); ++i) std::cout << (i ? " | " : " ") << t.tokens[i];
  std::cout << "\nids     ";
  for (const std::int64_t id : t.ids) std::cout << " " << id;
  std::cout << "\nshown    layer " << f.layer << ", head " << f.head << " (--layer 0.."
            << c.num_hidden_layers - 1 << ", --head 0.." << c.num_attention_heads - 1 << "), query "
            << f.query << " " << quoted(t.tokens[static_cast<std::size_t>(f.query)])
            << " (where this head looks hardest at one word)"
            << "\nbackend  " << backend_name() << ", " << num_threads() << " threads\n\n";
}

int run_explain(const ExplainOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const LoadedModel m = load_model(o.model_dir);
  const BertConfig& c = m.model.config();
  StepFocus f{.layer = pick(o.layer, c.num_hidden_layers, "layer"),
              .head = pick(o.head, c.num_attention_heads, "head"),
              .query = 0,
              .tokens = {}};

  const ModelTokens t =
      tokenize(m.tokenizer, o.text, static_cast<std::size_t>(m.model.max_seq_length()));
  warn_truncated("the text", t, m);
  if (t.tokens.ids.size() <= 2)
    throw UsageError("no tokens to attend to in " + quoted(o.text) +
                     " (only characters the tokenizer removes); give a sentence");
  f.tokens = t.tokens.tokens;

  // One pass of the model, keeping what the explanation needs: every layer's probabilities
  // (the pictures) and every layer's input (step 1 of the layer shown).
  const Encoding e =
      m.model.encode({t.tokens.ids}, EncodeOptions{.attentions = true, .hidden_states = true});
  const Tensor& x = e.hidden_states[static_cast<std::size_t>(f.layer)];  // [1, S, E]
  const MultiHeadAttention& attention = m.model.layer_attention(f.layer);
  const Steps steps = run_steps(attention, x);
  f.query = pick_query(steps, f.head, f.tokens);

  const Tensor& all = e.attentions.front();  // [layers, H, S, S]
  const std::int64_t H = all.size(1), S = all.size(2);
  const TensorView layer_weights(all.data_as<const float>() + f.layer * H * S * S, DType::f32,
                                 Shape{1, H, S, S});
  viz::AttentionMaps maps = model_maps(m, o.text, t.tokens, all, step_panel(steps, f));
  const std::vector<HeadFocus> heads = measure_heads(maps);
  for (const HeadFocus& h : heads) maps.head_summaries.push_back(summary_line(h));

  // The files first: a path that cannot be written fails before pages of output.
  const Pictures pictures = write_pictures(maps, o.out, f.layer, f.head, o.images);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  print_header(m, o, t.tokens, f);
  print_steps(std::cout, steps, f);
  const bool ok = print_check(std::cout, attention, steps, layer_weights);

  viz::TerminalOptions term;
  term.color = viz::terminal_color_for(STDOUT_FILENO);
  std::cout << "\nheatmap  ";
  if (S <= kTerminalTokens)
    std::cout << viz::terminal_heatmap(maps, static_cast<int>(f.layer), static_cast<int>(f.head),
                                       term);
  else
    std::cout << S << " tokens: too wide for a terminal; see the PNG and the HTML page\n";
  std::cout << "\nheads    what every head attends to, measured from the sentence's own tokens\n"
            << "         as queries ([CLS] and [SEP] set aside): the mean weight on the words it\n"
            << "         looks at most, on [CLS]/[SEP], on the previous and the next token and on\n"
            << "         itself. 'head' is layer.head.\n\n"
            << heads_table(heads);
  if (const std::string words = word_heads(heads, kWordHeads); !words.empty())
    std::cout << "\nwords    the heads most focused on particular words:\n" << words;

  std::cout << "\nwrote    " << pictures.html << " (" << pictures.html_bytes / 1024
            << " KB, self-contained: open it in a browser), " << fixed_seconds(seconds)
            << " after start\n";
  for (const std::string& p : pictures.images) std::cout << "         " << p << "\n";
  if (!ok) {
    std::cerr << "mha explain: error: the attention backend disagrees with the reference\n";
    return 1;
  }
  return 0;
}

}  // namespace

Command add_explain_command(CLI::App& app, const GlobalOptions&) {
  auto opt = std::make_shared<ExplainOptions>();
  CLI::App* sub = app.add_subcommand(
      "explain",
      "The six steps of multi-head attention in the pretrained model, on a sentence: real shapes "
      "and numbers, what every head attends to, attention.html and heatmaps");
  sub->add_option("text", opt->text, "The sentence to attend over")
      ->capture_default_str()
      ->check(CLI::Validator(text_problem, "", "text"));
  add_model_option(*sub, opt->model_dir);
  sub->add_option("--layer", opt->layer, "Layer whose six steps are shown (default: the last)");
  sub->add_option("--head", opt->head,
                  "Head shown in the steps and the heatmap (default: the last)");
  sub->add_option("--out", opt->out,
                  "The HTML page to write; the PNG and SVG heatmaps go beside it")
      ->capture_default_str()
      ->option_text("FILE");
  sub->add_flag("!--no-images", opt->images, "Write only the HTML page");
  return {sub, [opt] { return run_explain(*opt); }};
}

}  // namespace mha::cli
