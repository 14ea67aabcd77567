#include "conformance/onnx_case.hpp"

#include <fstream>
#include <span>
#include <stdexcept>

#include "common/npy.hpp"
#include "mha/dtype.hpp"
#include "mha/mask.hpp"

namespace mha::onnx_conformance {
namespace {

constexpr std::array<const char*, kNumInputSlots> kInputSlots = {
    "Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen"};
constexpr std::array<const char*, kNumOutputSlots> kOutputSlots = {
    "Y", "present_key", "present_value", "qk_matmul_output"};

// The entries of one list, checked to be exactly the operator's positions in order, so that a
// reordered or truncated index fails loudly instead of feeding K where V belongs.
template <std::size_t N>
std::array<TensorEntry, N> entries_of(const nlohmann::json& list,
                                      const std::array<const char*, N>& slots,
                                      const std::string& where) {
  if (!list.is_array() || list.size() != N)
    throw std::runtime_error(where + ": expected " + std::to_string(N) + " entries");
  std::array<TensorEntry, N> out;
  for (std::size_t i = 0; i < N; ++i) {
    const nlohmann::json& e = list[i];
    TensorEntry& t = out[i];
    t.slot = e.at("slot").get<std::string>();
    if (t.slot != slots[i])
      throw std::runtime_error(where + ": entry " + std::to_string(i) + " is " + t.slot);
    if (e.contains("absent")) continue;
    t.file = e.at("file").get<std::string>();
    t.dtype = e.at("dtype").get<std::string>();
    t.shape = e.at("shape").get<std::vector<std::int64_t>>();
  }
  return out;
}

Tensor load(const std::string& dir, const OnnxCase& c, const TensorEntry& e) {
  if (!e.present()) return Tensor();
  Tensor t = testing::load_npy(dir + "/" + c.name + "/" + e.file);
  const Shape want(std::span<const std::int64_t>(e.shape));
  if (dtype_name(t.dtype()) != e.dtype || !(t.shape() == want))
    throw std::runtime_error(c.name + "/" + e.file + ": index says " + e.dtype + " " + want.str() +
                             ", file holds " + dtype_name(t.dtype()) + " " + t.shape().str());
  return t;
}

}  // namespace

std::string data_dir() { return std::string(MHA_SOURCE_DIR) + "/tests/conformance/onnx"; }

OnnxIndex load_index(const std::string& dir) {
  const std::string path = dir + "/index.json";
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open (run scripts/export_onnx_cases.py)");
  const nlohmann::json j = nlohmann::json::parse(f);
  OnnxIndex index;
  index.onnx_version = j.at("onnx_version").get<std::string>();
  index.operator_cases = j.at("operator_cases").get<int>();
  index.expanded_cases = j.at("expanded_cases").get<int>();
  for (const nlohmann::json& e : j.at("cases")) {
    OnnxCase c;
    c.name = e.at("name").get<std::string>();
    c.kind = e.at("kind").get<std::string>();
    c.twin = e.value("twin", std::string());
    c.opset = e.at("opset").get<int>();
    c.attributes = e.at("attributes");
    c.inputs = entries_of(e.at("inputs"), kInputSlots, path + ": " + c.name + " inputs");
    c.outputs = entries_of(e.at("outputs"), kOutputSlots, path + ": " + c.name + " outputs");
    c.qk_mode0_softcapped = e.at("qk_mode0_softcapped").get<bool>();
    index.cases.push_back(std::move(c));
  }
  return index;
}

AttentionOptions options_of(const OnnxCase& c) {
  AttentionOptions opt;
  for (const auto& [name, value] : c.attributes.items()) {
    if (name == "q_num_heads") {
      opt.q_num_heads = value.get<std::int64_t>();
    } else if (name == "kv_num_heads") {
      opt.kv_num_heads = value.get<std::int64_t>();
    } else if (name == "is_causal") {
      opt.is_causal = value.get<std::int64_t>() != 0;
    } else if (name == "scale") {
      // ONNX FLOAT attributes are float32; the exporter wrote that value exactly as a double.
      opt.scale = static_cast<float>(value.get<double>());
    } else if (name == "softcap") {
      opt.softcap = static_cast<float>(value.get<double>());
    } else if (name == "left_window_size") {
      opt.left_window = value.get<std::int64_t>();
    } else if (name == "right_window_size") {
      opt.right_window = value.get<std::int64_t>();
    } else if (name == "qk_matmul_output_mode") {
      const auto m = value.get<std::int64_t>();
      if (m < 0 || m > 3)
        throw std::runtime_error("qk_matmul_output_mode " + std::to_string(m) + " is not 0..3");
      opt.qk_output_mode = static_cast<QkOutput>(m);
    } else if (name == "softmax_precision") {
      // A request for at least this precision in the softmax (TensorProto type: 1 float,
      // 10 float16, 11 double, 16 bfloat16). mha has no such option: it always computes the
      // softmax in fp32 (the reference in double), which is at least the precision of every
      // input type it accepts. For a double request on f32 inputs the suite's fp32 error bound
      // for mha is what is checked; the expected values' own softmax error is smaller than the
      // bound assumes, so the comparison stays valid.
      const auto t = value.get<std::int64_t>();
      if (t != 1 && t != 10 && t != 11 && t != 16)
        throw std::runtime_error("softmax_precision " + std::to_string(t) +
                                 " is not a floating TensorProto type");
    } else {
      throw std::runtime_error("attribute '" + name + "' has no mha::AttentionOptions counterpart");
    }
  }
  return opt;
}

LoadedCase::LoadedCase(const OnnxCase& c) {
  const std::string dir = data_dir();
  for (std::size_t s = 0; s < in_.size(); ++s) in_[s] = load(dir, c, c.inputs[s]);
  for (std::size_t s = 0; s < out_.size(); ++s) out_[s] = load(dir, c, c.outputs[s]);
}

AttentionInputs LoadedCase::inputs() const {
  AttentionInputs in;
  in.query = in_[kQ];
  in.key = in_[kK];
  in.value = in_[kV];
  if (in_[kAttnMask].defined())
    in.mask = in_[kAttnMask].dtype() == DType::boolean ? Mask::keep(in_[kAttnMask])
                                                       : Mask::additive(in_[kAttnMask]);
  in.past_key = in_[kPastKey];
  in.past_value = in_[kPastValue];
  in.nonpad_kv_seqlen = in_[kNonpadKvSeqlen];
  return in;
}

}  // namespace mha::onnx_conformance
