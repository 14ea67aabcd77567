#pragma once
// The six steps of one attention layer of the model, computed by mha::reference's step
// functions (f64) on the layer's own weights and input, printed (explain_print.cpp), put on the
// HTML page (explain_panel.cpp), and checked against the fast path that the model runs
// (explain_steps.cpp).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "mha/module.hpp"
#include "mha/reference.hpp"
#include "mha/tensor.hpp"
#include "mha/viz.hpp"

namespace mha::cli {

// Every intermediate of the six steps (MultiHeadAttention::forward keeps none of them).
struct Steps {
  Tensor input;                // the layer's input as the model holds it, [1, S, E] f32
  Tensor x;                    // 1 input    [1, S, E]
  Tensor q, k, v;              // 2 project  [1, H, S, D]
  double scale = 0.0;          // 3 score    1/sqrt(D)
  Tensor scores;               //            [1, H, S, S]
  reference::Weighed weighed;  // 4 weigh    probabilities [1, H, S, S], heads [1, H, S, D]
  Tensor concat;               // 5 concat   [1, S, E]
  Tensor y;                    // 6 output   [1, S, E]
};

// x: the layer's input [1, S, E] f32 (Encoding::hidden_states[layer] of one sentence).
Steps run_steps(const MultiHeadAttention& attention, const Tensor& x);

// What to show of the steps: which layer and head, which query token, and the tokens.
struct StepFocus {
  std::int64_t layer = 0, head = 0, query = 0;
  std::vector<std::string> tokens;
};

// Helpers shared by the three files of the steps (explain_steps/print/panel.cpp).
struct StepDims {
  std::int64_t S, H, D, E;  // tokens, heads, head size, embedding size
};
StepDims dims(const Steps& s);
// Element i of a contiguous tensor of any floating dtype.
double at(const TensorView& t, std::int64_t i);
// `count` values from element `offset` of a contiguous tensor.
std::vector<double> values(const TensorView& t, std::int64_t offset, std::int64_t count);
std::string quoted(const std::string& token);
// The keys to show in a row of scores or weights: all of them for a short sentence, else those
// with the largest weights in the head and query of `f`, in sentence order.
std::vector<std::int64_t> shown_keys(const Steps& s, const StepFocus& f);

// The query whose attention in `head` is most concentrated on one word (not [CLS]/[SEP]): the
// row that shows best what the head does.
std::int64_t pick_query(const Steps& s, std::int64_t head, const std::vector<std::string>& tokens);

// The six steps as text for the terminal.
void print_steps(std::ostream& out, const Steps& s, const StepFocus& f);

// The same six steps for the HTML page's panel.
viz::SixSteps step_panel(const Steps& s, const StepFocus& f);

// The cross-check: the reference steps (the specification, f64) against the fast path —
// MultiHeadAttention::forward (fp32, the backend that runs) on the same input, and the
// probabilities the model captured while encoding (`model_weights`, [1, H, S, S] of this
// layer). Prints one line per comparison; returns false on a mismatch.
bool print_check(std::ostream& out, const MultiHeadAttention& attention, const Steps& s,
                 const TensorView& model_weights);

}  // namespace mha::cli
