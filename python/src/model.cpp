// mha._core.Model, mha._core.WordPiece and mha._core.explain: the pretrained encoder, its
// tokenizer, and the pictures of `mha explain` (mha::viz), for the package's mha.Model.
#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "mha/model.hpp"
#include "mha/tokenizer.hpp"
#include "mha/viz.hpp"

namespace mha::python {
namespace {

namespace fs = std::filesystem;

// "all-MiniLM-L6-v2" for ".../all-MiniLM-L6-v2" and ".../all-MiniLM-L6-v2/".
std::string model_name(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::int64_t pick(const std::optional<std::int64_t>& asked, std::int64_t count, const char* what) {
  if (!asked) return count - 1;
  if (*asked < 0 || *asked >= count)
    throw nb::value_error(("argument '" + std::string(what) + "': expected 0.." +
                           std::to_string(count - 1) + " (the model's " + what + "s), got " +
                           std::to_string(*asked))
                              .c_str());
  return *asked;
}

}  // namespace

void bind_model(nb::module_& m) {
  nb::class_<WordPiece>(m, "WordPiece")
      .def_static("load", &WordPiece::load, nb::arg("vocab_file"))
      .def(
          "encode",
          [](const WordPiece& w, const std::string& text, bool add_special_tokens,
             std::optional<std::size_t> max_length, bool match_special_tokens) {
            TokenizeOptions o;
            o.add_special_tokens = add_special_tokens;
            o.max_length = max_length;
            o.match_special_tokens = match_special_tokens;
            TokenizedText t = w.encode(text, o);
            std::vector<std::tuple<std::size_t, std::size_t>> offsets;
            for (const TokenOffsets& off : t.offsets) offsets.emplace_back(off.begin, off.end);
            return std::make_tuple(std::move(t.ids), std::move(t.tokens), std::move(offsets));
          },
          nb::arg("text"), nb::arg("add_special_tokens") = true,
          nb::arg("max_length").none() = nb::none(), nb::arg("match_special_tokens") = true,
          "(ids, tokens, byte offsets) of UTF-8 text.")
      .def(
          "decode",
          [](const WordPiece& w, const std::vector<std::int64_t>& ids, bool skip_special_tokens) {
            return w.decode(ids, skip_special_tokens);
          },
          nb::arg("ids"), nb::arg("skip_special_tokens") = true)
      .def_prop_ro("vocab_size", &WordPiece::vocab_size);

  nb::class_<Model>(m, "Model")
      .def_static("load", &Model::load, nb::arg("directory"))
      .def_prop_ro("directory", &Model::directory)
      .def_prop_ro("max_seq_length", &Model::max_seq_length)
      .def_prop_ro("config",
                   [](const Model& model) {
                     const BertConfig& c = model.config();
                     nb::dict d;
                     d["vocab_size"] = c.vocab_size;
                     d["hidden_size"] = c.hidden_size;
                     d["num_hidden_layers"] = c.num_hidden_layers;
                     d["num_attention_heads"] = c.num_attention_heads;
                     d["intermediate_size"] = c.intermediate_size;
                     d["max_position_embeddings"] = c.max_position_embeddings;
                     d["type_vocab_size"] = c.type_vocab_size;
                     d["layer_norm_eps"] = c.layer_norm_eps;
                     d["pad_token_id"] = c.pad_token_id;
                     return d;
                   })
      .def(
          "embed",
          [](const Model& model, const std::vector<TokenIds>& ids, std::int64_t batch_size) {
            Tensor e;
            {
              nb::gil_scoped_release no_gil;
              e = model.embed(ids, batch_size);
            }
            return to_python(std::move(e), Framework::numpy);
          },
          nb::arg("token_ids"), nb::arg("batch_size") = 32,
          "Sentence embeddings [N, E] float32, unit length.")
      .def(
          "attentions",
          [](const Model& model, const TokenIds& ids) {
            Tensor a;
            {
              nb::gil_scoped_release no_gil;
              a = model.attentions(ids);
            }
            return to_python(std::move(a), Framework::numpy);
          },
          nb::arg("token_ids"), "Attention probabilities [layers, H, S, S] float32.");

  m.def(
      "explain",
      [](const Model& model, const std::vector<std::string>& tokens, const TokenIds& ids,
         const std::string& text, const fs::path& out, std::optional<std::int64_t> layer,
         std::optional<std::int64_t> head, bool images) {
        const BertConfig& c = model.config();
        const std::int64_t l = pick(layer, c.num_hidden_layers, "layer");
        const std::int64_t h = pick(head, c.num_attention_heads, "head");
        viz::Pictures p;
        std::vector<std::string> summaries;
        {
          nb::gil_scoped_release no_gil;
          const Tensor all = model.attentions(ids);  // [layers, H, S, S]
          const std::int64_t L = all.size(0), H = all.size(1), S = all.size(2);
          std::vector<TensorView> layers;
          for (std::int64_t i = 0; i < L; ++i)
            layers.emplace_back(all.data_as<const float>() + i * H * S * S, DType::f32,
                                Shape{H, S, S});
          viz::AttentionMaps maps =
              viz::from_layer_weights(model_name(model.directory()), tokens, layers);
          maps.text = text;
          p = viz::write_pictures(maps, out, static_cast<int>(l), static_cast<int>(h), images);
          summaries = maps.head_summaries;
        }
        nb::dict d;
        d["html"] = p.html;
        d["images"] = p.images;
        d["head_summaries"] = summaries;
        d["layer"] = l;
        d["head"] = h;
        return d;
      },
      nb::arg("model"), nb::arg("tokens"), nb::arg("token_ids"), nb::arg("text"), nb::arg("out"),
      nb::arg("layer").none(), nb::arg("head").none(), nb::arg("images"),
      "Writes the page and heatmaps of `mha explain` (without the six-step panel).");
  m.def("default_model_dir", &default_model_dir,
        "$MHA_MODEL_DIR when set, else the directory scripts/fetch_model.sh fills.");
}

}  // namespace mha::python
