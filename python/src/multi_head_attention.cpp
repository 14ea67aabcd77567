// mha._core.MultiHeadAttention: mha::MultiHeadAttention (torch nn.MultiheadAttention semantics
// plus num_kv_heads). The package's mha.MultiheadAttention gives it torch's Python interface.
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "mha/module.hpp"

namespace mha::python {
namespace {

// torch's module masks: bool True = masked out (Mask::drop), float = additive.
Mask module_mask(const std::optional<InArray>& a, const char* name) {
  const TensorView t = view_of(a, name);
  if (!t.defined()) return Mask();
  return t.dtype() == DType::boolean ? Mask::drop(t) : Mask::additive(t);
}

}  // namespace

void bind_multi_head_attention(nb::module_& m) {
  nb::class_<MultiHeadAttention>(m, "MultiHeadAttention")
      .def(
          "__init__",
          [](MultiHeadAttention* self, std::int64_t embed_dim, std::int64_t num_heads,
             double dropout, bool bias, bool add_bias_kv, bool add_zero_attn, std::int64_t kdim,
             std::int64_t vdim, bool batch_first, std::int64_t num_kv_heads, std::uint64_t seed,
             const std::string& weight_dtype) {
            MultiHeadAttentionOptions o;
            o.embed_dim = embed_dim;
            o.num_heads = num_heads;
            o.dropout = dropout;
            o.bias = bias;
            o.add_bias_kv = add_bias_kv;
            o.add_zero_attn = add_zero_attn;
            o.kdim = kdim;
            o.vdim = vdim;
            o.batch_first = batch_first;
            o.num_kv_heads = num_kv_heads;
            o.seed = seed;
            if (weight_dtype == "float32") o.weight_dtype = DType::f32;
            else if (weight_dtype == "bfloat16") o.weight_dtype = DType::bf16;
            else
              throw nb::type_error(("MultiHeadAttention: argument 'weight_dtype': expected 'float32' or 'bfloat16', got '" +
                                    weight_dtype + "'").c_str());
            new (self) MultiHeadAttention(o);
          },
          nb::arg("embed_dim"), nb::arg("num_heads"), nb::arg("dropout") = 0.0,
          nb::arg("bias") = true, nb::arg("add_bias_kv") = false, nb::arg("add_zero_attn") = false,
          nb::arg("kdim") = 0, nb::arg("vdim") = 0, nb::arg("batch_first") = false,
          nb::arg("num_kv_heads") = 0, nb::arg("seed") = 0, nb::arg("weight_dtype") = "float32")
      .def_prop_ro("embed_dim", [](const MultiHeadAttention& a) { return a.options().embed_dim; })
      .def_prop_ro("num_heads", [](const MultiHeadAttention& a) { return a.options().num_heads; })
      .def_prop_ro("num_kv_heads", &MultiHeadAttention::num_kv_heads)
      .def_prop_ro("head_dim", &MultiHeadAttention::head_dim)
      .def_prop_ro("kdim", &MultiHeadAttention::kdim)
      .def_prop_ro("vdim", &MultiHeadAttention::vdim)
      .def_prop_ro("dropout", [](const MultiHeadAttention& a) { return a.options().dropout; })
      .def_prop_ro("bias", [](const MultiHeadAttention& a) { return a.options().bias; })
      .def_prop_ro("add_bias_kv", [](const MultiHeadAttention& a) { return a.options().add_bias_kv; })
      .def_prop_ro("add_zero_attn",
                   [](const MultiHeadAttention& a) { return a.options().add_zero_attn; })
      .def_prop_ro("batch_first", [](const MultiHeadAttention& a) { return a.options().batch_first; })
      .def_prop_ro("packed_in_proj", &MultiHeadAttention::packed_in_proj)
      .def_prop_ro("weight_dtype", [](const MultiHeadAttention& a) {
        return std::string(a.options().weight_dtype == DType::bf16 ? "bfloat16" : "float32");
      })
      .def_prop_rw(
          "training", &MultiHeadAttention::training,
          [](MultiHeadAttention& a, bool on) { a.train(on); })
      .def(
          "state_dict",
          [](const MultiHeadAttention& a) {
            nb::dict d;
            for (auto& [name, t] : a.state_dict()) {
              // NumPy has no bfloat16: bf16 parameters come as float32, which holds them exactly.
              if (t.dtype() != DType::f32) t = Tensor::copy_of(t.view(), DType::f32);
              d[name.c_str()] = to_python(std::move(t), Framework::numpy);
            }
            return d;
          },
          "The parameters under torch's state_dict names, as float32 NumPy arrays (copies; bfloat16 "
          "parameters exactly).")
      .def(
          "load_state_dict",
          [](MultiHeadAttention& a, const std::map<std::string, InArray>& tensors,
             bool allow_partial) {
            std::map<std::string, TensorView> views;
            for (const auto& [name, t] : tensors) views[name] = view_of(t, name.c_str());
            a.load_state_dict(views, allow_partial);
          },
          nb::arg("tensors"), nb::arg("allow_partial") = false,
          "Sets parameters from arrays laid out as torch's state_dict (copied).")
      .def(
          "forward",
          [](const MultiHeadAttention& a, const InArray& query, const InArray& key,
             const InArray& value, const std::optional<InArray>& key_padding_mask,
             bool need_weights, const std::optional<InArray>& attn_mask,
             bool average_attn_weights, bool is_causal, std::optional<std::uint64_t> dropout_seed,
             const std::string& framework) {
            const Framework fw = framework_of(framework);
            ForwardOptions o;
            o.key_padding_mask = module_mask(key_padding_mask, "key_padding_mask");
            o.need_weights = need_weights;
            o.attn_mask = module_mask(attn_mask, "attn_mask");
            o.average_attn_weights = average_attn_weights;
            o.is_causal = is_causal;
            o.dropout_seed = dropout_seed;
            const TensorView q = view_of(query, "query"), k = view_of(key, "key"),
                             v = view_of(value, "value");
            MultiHeadAttentionOutput r;
            {
              nb::gil_scoped_release no_gil;
              r = a.forward(q, k, v, o);
            }
            return std::make_tuple(to_python(std::move(r.output), fw),
                                   to_python(std::move(r.weights), fw));
          },
          nb::arg("query"), nb::arg("key"), nb::arg("value"),
          nb::arg("key_padding_mask").none() = nb::none(), nb::arg("need_weights") = true,
          nb::arg("attn_mask").none() = nb::none(), nb::arg("average_attn_weights") = true,
          nb::arg("is_causal") = false, nb::arg("dropout_seed").none() = nb::none(),
          nb::arg("framework") = "numpy",
          "mha::MultiHeadAttention::forward (the GIL is released meanwhile); returns (output, "
          "weights or None) as arrays of `framework` that own mha's results (no copy).")
      .def(
          "forward_packed",
          [](const MultiHeadAttention& a, const InArray& x, const std::vector<std::int64_t>& lengths,
             bool is_causal, const std::string& framework) {
            const Framework fw = framework_of(framework);
            const TensorView xv = view_of(x, "x");
            Tensor y;
            {
              nb::gil_scoped_release no_gil;
              y = a.forward_packed(xv, lengths, is_causal);
            }
            return to_python(std::move(y), fw);
          },
          nb::arg("x"), nb::arg("lengths"), nb::arg("is_causal") = false, nb::arg("framework") = "numpy",
          "mha::MultiHeadAttention::forward_packed: self-attention over sequences packed back to back "
          "in x [T, E] (lengths[n] rows each, no padding); returns [T, E].");
}

}  // namespace mha::python
