#pragma once
// One ONNX `Attention` backend node case, as scripts/export_onnx_cases.py wrote it to
// tests/conformance/onnx/: the index entry, its tensors, and its translation into mha's API.
//
// Positions ("slots") follow the operator: inputs Q, K, V, attn_mask, past_key, past_value,
// nonpad_kv_seqlen; outputs Y, present_key, present_value, qk_matmul_output. An optional input
// left out, or an output not requested, is "absent" (an empty name in the node, or not listed).
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mha/attention.hpp"
#include "mha/tensor.hpp"

namespace mha::onnx_conformance {

enum InputSlot { kQ, kK, kV, kAttnMask, kPastKey, kPastValue, kNonpadKvSeqlen, kNumInputSlots };
enum OutputSlot { kY, kPresentKey, kPresentValue, kQkMatmulOutput, kNumOutputSlots };

struct TensorEntry {
  std::string slot;   // the operator's name for the position
  std::string file;   // relative to the case directory; empty when absent
  std::string dtype;  // mha's name: f32 f16 bf16 bool i64 (empty when absent)
  std::vector<std::int64_t> shape;
  bool present() const { return !file.empty(); }
};

struct OnnxCase {
  std::string name;  // e.g. test_attention_4d_gqa; also the directory
  std::string kind;  // "operator" or "expanded" (the function-body graph)
  std::string twin;  // expanded cases: the operator case their attributes come from
  int opset = 0;
  nlohmann::json attributes;  // the node's attributes as the exporter wrote them
  std::array<TensorEntry, kNumInputSlots> inputs;
  std::array<TensorEntry, kNumOutputSlots> outputs;
  bool qk_mode0_softcapped = false;  // see export_onnx_cases.py: mode 0 asked with a softcap
};

// What the exporter promised: the directory of the data and the number of cases in the suite.
struct OnnxIndex {
  std::string onnx_version;
  int operator_cases = 0, expanded_cases = 0;
  std::vector<OnnxCase> cases;
};

// tests/conformance/onnx under the source tree.
std::string data_dir();

// Parses index.json (throws std::exception with the reason when it is missing or malformed).
OnnxIndex load_index(const std::string& dir);

// The ONNX attributes as mha::AttentionOptions. Throws std::runtime_error for an attribute mha
// does not know or a value it cannot represent, so nothing is silently ignored.
AttentionOptions options_of(const OnnxCase& c);

// The case's tensors, loaded; `inputs()` points into them, so keep this object alive.
class LoadedCase {
 public:
  explicit LoadedCase(const OnnxCase& c);
  // ONNX bool attn_mask is "true = attend": Mask::keep; a floating mask is added: Mask::additive.
  AttentionInputs inputs() const;
  const Tensor& input(InputSlot s) const { return in_[s]; }
  const Tensor& expected(OutputSlot s) const { return out_[s]; }  // absent: undefined tensor

 private:
  std::array<Tensor, kNumInputSlots> in_;
  std::array<Tensor, kNumOutputSlots> out_;
};

}  // namespace mha::onnx_conformance
