// `mha explain [TEXT]`: the six steps of multi-head attention on one sentence, each with its real
// shape and a few real numbers, then a check of the fast path against the reference.
//
// Until the pretrained all-MiniLM-L6-v2 lands, the numbers come from a toy model (toy_model.hpp):
// the mechanics are real, the meaning is not, and the output says so loudly.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "mha/cpu_info.hpp"
#include "mha/dtype.hpp"
#include "mha/reference.hpp"
#include "mha/threads.hpp"
#include "print.hpp"
#include "toy_model.hpp"
#include "toy_text.hpp"

namespace mha::cli {
namespace {

constexpr const char* kDefaultText = "The quick brown fox jumps over the lazy dog.";

struct ExplainOptions {
  std::string text = kDefaultText;
  ToyModelConfig model;
};

// Why TEXT cannot be explained, or "" when it can (the contract of a CLI11 validator, which turns
// a message into a usage error before anything runs).
std::string text_problem(const std::string& text, const ToyModelConfig& model) {
  if (const auto bad = find_invalid_utf8(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    return "not valid UTF-8 (byte " + std::string(byte) + " at offset " + std::to_string(*bad) +
           ")";
  }
  const std::size_t n = toy_tokenize(text).size();
  if (n == 0)
    return "no words to attend to; give a sentence, e.g. \"" + std::string(kDefaultText) + "\"";
  if (static_cast<std::int64_t>(n) > model.max_tokens)
    return std::to_string(n) + " tokens; the toy model takes at most " +
           std::to_string(model.max_tokens);
  return "";
}

// Rows [r0, r0 + n) of a contiguous 2-D weight, or elements [r0, r0 + n) of a 1-D bias.
TensorView rows(const Tensor& t, std::int64_t r0, std::int64_t n) {
  const std::int64_t row = t.rank() == 1 ? 1 : t.size(1);
  const auto* base = static_cast<const std::byte*>(t.data()) +
                     r0 * row * static_cast<std::int64_t>(dtype_size(t.dtype()));
  return t.rank() == 1 ? TensorView(base, t.dtype(), Shape{n})
                       : TensorView(base, t.dtype(), Shape{n, row});
}

// Every intermediate of the six steps, computed by mha::reference's step functions on the
// layer's own weights (MultiHeadAttention::forward does not expose its intermediates).
struct Steps {
  Tensor x;                    // 1 input    [1, S, E]
  Tensor q, k, v;              // 2 project  [1, H, S, D]
  double scale = 0.0;          // 3 score    1/sqrt(D)
  Tensor scores;               //            [1, H, S, S]
  reference::Weighed weighed;  // 4 weigh    probabilities [1, H, S, S], heads [1, H, S, D]
  Tensor concat;               // 5 concat   [1, S, E]
  Tensor y;                    // 6 output   [1, S, E]
};

Steps run_steps(const MultiHeadAttention& layer, const Tensor& x) {
  const std::int64_t E = layer.options().embed_dim, H = layer.options().num_heads;
  const std::map<std::string, Tensor> sd = layer.state_dict();
  const Tensor& w_in = sd.at("in_proj_weight");  // [3E, E]: Wq, Wk, Wv one under the other
  const Tensor& b_in = sd.at("in_proj_bias");    // [3E]
  Steps s;
  s.x = reference::input(x);
  s.q = reference::project(s.x, rows(w_in, 0, E), rows(b_in, 0, E), H);
  s.k = reference::project(s.x, rows(w_in, E, E), rows(b_in, E, E), H);
  s.v = reference::project(s.x, rows(w_in, 2 * E, E), rows(b_in, 2 * E, E), H);
  s.scale = 1.0 / std::sqrt(static_cast<double>(layer.head_dim()));
  s.scores = reference::score(s.q, s.k, s.scale);
  const Tensor keep_all(DType::f64, s.scores.shape());  // additive bias 0: no mask, every key kept
  s.weighed = reference::weigh(s.scores, keep_all, s.v);
  s.concat = reference::concat(s.weighed.heads);
  s.y = reference::output(s.concat, sd.at("out_proj.weight"), sd.at("out_proj.bias"));
  return s;
}

std::string quoted(const std::string& token) { return "\"" + token + "\""; }

void print_banner() {
  const char* rule =
      "==============================================================================";
  std::cout << rule << "\n"
            << "  TOY MODEL: random weights and hashed word vectors, not a trained model.\n"
            << "  The shapes and the arithmetic are real; which word attends to which means\n"
            << "  nothing yet. The pretrained all-MiniLM-L6-v2 model will replace it.\n"
            << rule << "\n\n";
}

void print_input(const ExplainOptions& opt, const std::vector<std::string>& tokens,
                 const MultiHeadAttention& layer, const Steps& s) {
  std::cout << "text     " << quoted(opt.text) << "\n"
            << "tokens   S = " << tokens.size() << ":";
  for (std::size_t i = 0; i < tokens.size(); ++i) std::cout << (i ? " | " : " ") << tokens[i];
  std::cout << "\nlayer    mha::MultiHeadAttention, E = " << layer.options().embed_dim
            << ", H = " << layer.options().num_heads << " heads of D = " << layer.head_dim()
            << ", seed " << layer.options().seed << "\n"
            << "backend  " << backend_name() << ", " << num_threads() << " threads\n\n";

  std::cout << "1. input    x " << s.x.shape().str() << "\n"
            << "   one vector per token: its hashed word vector plus a sinusoidal position\n"
            << "   x[0, 0, :4]           " << row_values(s.x, 0) << "   " << quoted(tokens[0])
            << "\n\n";
}

void print_project_score(const MultiHeadAttention& layer, const Steps& s) {
  const std::int64_t H = layer.options().num_heads, D = layer.head_dim();
  std::cout << "2. project  q " << s.q.shape().str() << "  k " << s.k.shape().str() << "  v "
            << s.v.shape().str() << "\n"
            << "   q = x Wq^T + bq, k = x Wk^T + bk, v = x Wv^T + bv, each split into " << H
            << " heads of " << D << "\n"
            << "   q[0, 0, 0, :4]        " << row_values(s.q, 0) << "\n"
            << "   k[0, 0, 0, :4]        " << row_values(s.k, 0) << "\n"
            << "   v[0, 0, 0, :4]        " << row_values(s.v, 0) << "\n\n";

  std::cout << "3. score    scores " << s.scores.shape().str() << "\n"
            << "   scores = q k^T * scale, scale = 1/sqrt(D) = 1/sqrt(" << D
            << ") = " << fixed(s.scale, 6) << "\n"
            << "   scores[0, 0, 0, :4]   " << row_values(s.scores, 0) << "\n\n";
}

void print_weigh(const std::vector<std::string>& tokens, const MultiHeadAttention& layer,
                 const Steps& s) {
  const TensorView p = s.weighed.probabilities;  // [1, H, S, S]
  const std::int64_t H = layer.options().num_heads, S = p.size(2);
  double lo = INFINITY, hi = -INFINITY;
  for (std::int64_t row = 0; row < H * S; ++row) {
    double sum = 0.0;
    for (std::int64_t j = 0; j < S; ++j) sum += load_as_double(p.data(), p.dtype(), row * S + j);
    lo = std::min(lo, sum);
    hi = std::max(hi, sum);
  }
  std::cout << "4. weigh    weights " << p.shape().str() << "  heads "
            << s.weighed.heads.shape().str() << "\n"
            << "   weights = softmax(scores) over the keys; heads = weights v\n"
            << "   row sums of weights   min " << fixed(lo, 6) << ", max " << fixed(hi, 6)
            << " over " << H * S << " rows\n";

  // The first token and one from the middle: enough to see that heads disagree.
  std::vector<std::int64_t> queries = {0};
  if (S > 1) queries.push_back(S / 2);
  for (const std::int64_t i : queries) {
    std::cout << "   query " << i << " " << quoted(tokens[static_cast<std::size_t>(i)])
              << " attends most to\n     ";
    for (std::int64_t h = 0; h < H; ++h) {
      std::int64_t best = 0;
      double best_p = -1.0;
      for (std::int64_t j = 0; j < S; ++j) {
        const double pj = p.get({0, h, i, j});
        if (pj > best_p) best = j, best_p = pj;
      }
      std::cout << "  head " << h << ": " << quoted(tokens[static_cast<std::size_t>(best)]) << " "
                << fixed(best_p, 2);
    }
    std::cout << "\n";
  }
  std::cout << "   heads[0, 0, 0, :4]    " << row_values(s.weighed.heads, 0) << "\n\n";
}

void print_concat_output(const MultiHeadAttention& layer, const Steps& s) {
  const std::int64_t D = layer.head_dim();
  std::cout << "5. concat   concat " << s.concat.shape().str() << "\n"
            << "   the heads side by side: dims 0.." << D - 1 << " from head 0, " << D << ".."
            << 2 * D - 1 << " from head 1, ...\n"
            << "   concat[0, 0, :4]      " << row_values(s.concat, 0) << "\n\n";
  std::cout << "6. output   y " << s.y.shape().str() << "\n"
            << "   y = concat Wo^T + bo\n"
            << "   y[0, 0, :4]           " << row_values(s.y, 0) << "\n\n";
}

// Compares the layer's forward (fp32, the backend that runs) with the reference (f64). Returns
// the exit code: a mismatch is an error, never just a printed number.
int print_check(const MultiHeadAttention& layer, const Tensor& x, const Steps& s) {
  ForwardOptions fo;
  fo.need_weights = true;
  fo.average_attn_weights = false;  // per head [1, H, S, S]
  const MultiHeadAttentionOutput fast = layer.forward(x, fo);
  const MultiHeadAttentionOutput ref = reference::multi_head_attention(layer, x, x, x, fo);

  // fp32 rounding accumulates along each reduction: E in the projections and the output, D in the
  // scores, S in the weighted sum; the weights inherit the error of the projections through the
  // scores. The bound u·(2E + D + S), times 8 for the exp and the value magnitudes (|x|, |y| are
  // O(1) in this model), is loose for a correct kernel (measured: 10x below it) and tight for a
  // wrong one (a wrong index or a missed row is O(0.1)).
  const double u = unit_roundoff(DType::f32);
  const auto E = static_cast<double>(layer.options().embed_dim);
  const auto S = static_cast<double>(x.size(1));
  const double tol = 8.0 * u * (2.0 * E + static_cast<double>(layer.head_dim()) + S);

  struct Row {
    const char* what;
    double diff, tol;
  };
  const Row checks[] = {
      {"output ", max_abs_diff(fast.output, ref.output), tol},
      {"weights", max_abs_diff(fast.weights, ref.weights), tol},
      {"steps  ", max_abs_diff(s.y, ref.output), 1e-12},  // the steps above: same f64 algorithm
  };
  std::cout << "check    MultiHeadAttention::forward, fp32 on " << backend_name() << ",\n"
            << "         against mha::reference::multi_head_attention, f64\n";
  bool ok = true;
  for (const Row& r : checks) {
    const bool pass = r.diff <= r.tol;  // false for NaN too
    ok = ok && pass;
    std::cout << "   " << r.what << "  max abs difference " << general(r.diff) << " (tolerance "
              << general(r.tol) << ")  " << (pass ? "ok" : "MISMATCH") << "\n";
  }
  std::cout
      << "\n(toy model: random weights; the pretrained all-MiniLM-L6-v2 will replace it)\n";
  if (!ok) {
    std::cerr << "mha explain: error: the attention backend disagrees with the reference\n";
    return 1;
  }
  return 0;
}

int run_explain(const ExplainOptions& opt) {
  const std::vector<std::string> tokens = toy_tokenize(opt.text);
  const Tensor x = toy_embeddings(tokens, opt.model);  // [1, S, E]
  const MultiHeadAttention layer = toy_attention(opt.model);
  const Steps s = run_steps(layer, x);

  print_banner();
  print_input(opt, tokens, layer, s);
  print_project_score(layer, s);
  print_weigh(tokens, layer, s);
  print_concat_output(layer, s);
  return print_check(layer, x, s);
}

}  // namespace

Command add_explain_command(CLI::App& app, const GlobalOptions&) {
  auto opt = std::make_shared<ExplainOptions>();
  CLI::App* sub = app.add_subcommand(
      "explain", "Show the six steps of multi-head attention on a sentence (toy model for now)");
  sub->add_option("text", opt->text, "The sentence to attend over")
      ->capture_default_str()
      ->check(CLI::Validator([opt](std::string& text) { return text_problem(text, opt->model); },
                             "", "text"));
  return {sub, [opt] { return run_explain(*opt); }};
}

}  // namespace mha::cli
