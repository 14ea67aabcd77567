// The six steps for the six-step panel of attention.html.
#include "explain_steps.hpp"
#include "print.hpp"

namespace mha::cli {

viz::SixSteps step_panel(const Steps& s, const StepFocus& f) {
  const StepDims d = dims(s);
  const std::string h = std::to_string(f.head), i = std::to_string(f.query);
  const std::string token = quoted(f.tokens[static_cast<std::size_t>(f.query)]);
  const std::int64_t hq = (f.head * d.S + f.query);
  const std::vector<std::int64_t> keys = shown_keys(s, f);
  std::vector<double> score_row, weight_row;
  std::string key_names;
  for (const std::int64_t j : keys) {
    score_row.push_back(at(s.scores, hq * d.S + j));
    weight_row.push_back(at(s.weighed.probabilities, hq * d.S + j));
    key_names += (key_names.empty() ? "" : " ") + f.tokens[static_cast<std::size_t>(j)];
  }
  const std::string where =
      "layer " + std::to_string(f.layer) + ", head " + h + ", query " + i + " " + token;
  return {
      {.number = 1,
       .name = {},
       .shape = "x " + s.x.shape().str(),
       .description =
           (f.layer == 0 ? "The embeddings (word + position + token type, then "
                           "LayerNorm): the input of layer 0. "
                         : "The output of layer " + std::to_string(f.layer - 1) +
                               ": the input of layer " + std::to_string(f.layer) + ". ") +
           "Shown: " + where + ".",
       .numbers = {{"x[0, " + i + ", :4]", values(s.x, f.query * d.E, 4)}}},
      {.number = 2,
       .name = {},
       .shape = "q " + s.q.shape().str() + "  k " + s.k.shape().str() + "  v " + s.v.shape().str(),
       .description = "q = x·Wqᵀ + bq, k = x·Wkᵀ + bk, v = x·Wvᵀ + bv, each split into " +
                      std::to_string(d.H) + " heads of " + std::to_string(d.D) + ".",
       .numbers = {{"q[0, " + h + ", " + i + ", :4]", values(s.q, hq * d.D, 4)},
                   {"k[0, " + h + ", " + i + ", :4]", values(s.k, hq * d.D, 4)},
                   {"v[0, " + h + ", " + i + ", :4]", values(s.v, hq * d.D, 4)}}},
      {.number = 3,
       .name = {},
       .shape = "scores " + s.scores.shape().str(),
       .description = "scores = q·kᵀ · scale, scale = 1/√" + std::to_string(d.D) + " = " +
                      fixed(s.scale, 6) + ". Keys: " + key_names + ".",
       .numbers = {{"scores[0, " + h + ", " + i + ", keys]", score_row}}},
      {.number = 4,
       .name = {},
       .shape = "weights " + s.weighed.probabilities.shape().str() + "  heads " +
                s.weighed.heads.shape().str(),
       .description = "weights = softmax(scores) over the keys (each row sums to 1); each "
                      "head's output = weights·v. Keys: " +
                      key_names + ".",
       .numbers = {{"weights[0, " + h + ", " + i + ", keys]", weight_row},
                   {"heads[0, " + h + ", " + i + ", :4]", values(s.weighed.heads, hq * d.D, 4)}}},
      {.number = 5,
       .name = {},
       .shape = "concat " + s.concat.shape().str(),
       .description = "The heads side by side: head " + h + " is dims " +
                      std::to_string(f.head * d.D) + ".." + std::to_string((f.head + 1) * d.D - 1) +
                      ".",
       .numbers = {{"concat[0, " + i + ", " + std::to_string(f.head * d.D) + ":" +
                        std::to_string(f.head * d.D + 4) + "]",
                    values(s.concat, f.query * d.E + f.head * d.D, 4)}}},
      {.number = 6,
       .name = {},
       .shape = "y " + s.y.shape().str(),
       .description = "y = concat·Woᵀ + bo; the layer then adds x, normalizes, and runs its "
                      "feed-forward part.",
       .numbers = {{"y[0, " + i + ", :4]", values(s.y, f.query * d.E, 4)}}},
  };
}

}  // namespace mha::cli
