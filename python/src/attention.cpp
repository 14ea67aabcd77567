// mha._core.attention: mha::attention (ONNX Attention) into caller-provided outputs, so that the
// result is written straight into the NumPy array or torch tensor the package allocated.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <optional>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "bindings.hpp"
#include "mha/attention.hpp"

namespace mha::python {
namespace {

Mask mask_of(const std::optional<InArray>& mask, const std::string& kind) {
  const TensorView t = view_of(mask, "attn_mask");
  if (!t.defined()) return Mask();
  if (kind == "keep") return Mask::keep(t);
  if (kind == "drop") return Mask::drop(t);
  if (kind == "additive") return Mask::additive(t);
  throw nb::value_error(("argument 'mask_kind': expected \"keep\", \"drop\" or \"additive\", got \"" +
                         kind + "\"").c_str());
}

std::vector<std::int64_t> dims(const Shape& s) {
  return std::vector<std::int64_t>(s.data(), s.data() + s.rank());
}

struct Inputs {
  AttentionInputs in;
  AttentionOptions opt;
};

Inputs inputs(const InArray& q, const InArray& k, const InArray& v,
              const std::optional<InArray>& mask, const std::string& mask_kind,
              const std::optional<InArray>& past_key, const std::optional<InArray>& past_value,
              const std::optional<InArray>& nonpad, const AttentionOptions& opt) {
  Inputs r;
  r.in.query = view_of(q, "query");
  r.in.key = view_of(k, "key");
  r.in.value = view_of(v, "value");
  r.in.mask = mask_of(mask, mask_kind);
  r.in.past_key = view_of(past_key, "past_key");
  r.in.past_value = view_of(past_value, "past_value");
  r.in.nonpad_kv_seqlen = view_of(nonpad, "nonpad_kv_seqlen");
  r.opt = opt;
  return r;
}

}  // namespace

void bind_attention(nb::module_& m) {
  nb::enum_<QkOutput>(m, "QkOutput")
      .value("raw", QkOutput::raw)
      .value("softcapped", QkOutput::softcapped)
      .value("biased", QkOutput::biased)
      .value("probabilities", QkOutput::probabilities);

  nb::class_<AttentionOptions>(m, "AttentionOptions")
      .def(nb::init<>())
      .def_rw("q_num_heads", &AttentionOptions::q_num_heads)
      .def_rw("kv_num_heads", &AttentionOptions::kv_num_heads)
      .def_rw("is_causal", &AttentionOptions::is_causal)
      .def_rw("scale", &AttentionOptions::scale)
      .def_rw("softcap", &AttentionOptions::softcap)
      .def_rw("left_window", &AttentionOptions::left_window)
      .def_rw("right_window", &AttentionOptions::right_window)
      .def_rw("qk_output_mode", &AttentionOptions::qk_output_mode);

  m.def(
      "attention_shapes",
      [](const InArray& q, const InArray& k, const InArray& v, const std::optional<InArray>& mask,
         const std::string& mask_kind, const std::optional<InArray>& past_key,
         const std::optional<InArray>& past_value, const std::optional<InArray>& nonpad,
         const AttentionOptions& opt) {
        const Inputs r = inputs(q, k, v, mask, mask_kind, past_key, past_value, nonpad, opt);
        const AttentionShapes s = attention_shapes(r.in, r.opt);
        return std::make_tuple(dims(s.y), dims(s.present_key), dims(s.present_value),
                               dims(s.qk_output));
      },
      nb::arg("query"), nb::arg("key"), nb::arg("value"), nb::arg("mask").none(),
      nb::arg("mask_kind"), nb::arg("past_key").none(), nb::arg("past_value").none(),
      nb::arg("nonpad_kv_seqlen").none(), nb::arg("options"),
      "Validates the inputs; the shapes of y, present_key, present_value and qk_output.");

  m.def(
      "attention",
      [](const InArray& q, const InArray& k, const InArray& v, const std::optional<InArray>& mask,
         const std::string& mask_kind, const std::optional<InArray>& past_key,
         const std::optional<InArray>& past_value, const std::optional<InArray>& nonpad,
         const AttentionOptions& opt, const OutArray& y, const std::optional<OutArray>& present_key,
         const std::optional<OutArray>& present_value, const std::optional<OutArray>& qk_output) {
        const Inputs r = inputs(q, k, v, mask, mask_kind, past_key, past_value, nonpad, opt);
        AttentionOutputs out;
        out.y = view_of(y, "y");
        if (present_key) out.present_key = view_of(*present_key, "present_key");
        if (present_value) out.present_value = view_of(*present_value, "present_value");
        if (qk_output) out.qk_output = view_of(*qk_output, "qk_output");
        nb::gil_scoped_release no_gil;
        attention(r.in, r.opt, out);
      },
      nb::arg("query"), nb::arg("key"), nb::arg("value"), nb::arg("mask").none(),
      nb::arg("mask_kind"), nb::arg("past_key").none(), nb::arg("past_value").none(),
      nb::arg("nonpad_kv_seqlen").none(), nb::arg("options"), nb::arg("y"),
      nb::arg("present_key").none(), nb::arg("present_value").none(), nb::arg("qk_output").none(),
      "mha::attention into the given outputs (written in place; the GIL is released meanwhile).");
}

}  // namespace mha::python
