// NumPy/torch arrays as mha tensor views and back (see arrays.hpp).
#include "arrays.hpp"

#include <string>

namespace mha::python {
namespace {

namespace dl = nb::dlpack;

std::string dtype_text(dl::dtype t) {
  const char* kind = "unknown";
  switch (static_cast<dl::dtype_code>(t.code)) {
    case dl::dtype_code::Int: kind = "int"; break;
    case dl::dtype_code::UInt: kind = "uint"; break;
    case dl::dtype_code::Float: kind = "float"; break;
    case dl::dtype_code::Bfloat: kind = "bfloat"; break;
    case dl::dtype_code::Complex: kind = "complex"; break;
    case dl::dtype_code::Bool: kind = "bool"; break;
  }
  return std::string(kind) + std::to_string(t.bits);
}

DType to_dtype(dl::dtype t, const char* name) {
  const auto code = static_cast<dl::dtype_code>(t.code);
  if (t.lanes == 1) {
    if (code == dl::dtype_code::Float && t.bits == 32) return DType::f32;
    if (code == dl::dtype_code::Float && t.bits == 64) return DType::f64;
    if (code == dl::dtype_code::Float && t.bits == 16) return DType::f16;
    if (code == dl::dtype_code::Bfloat && t.bits == 16) return DType::bf16;
    if (code == dl::dtype_code::Bool && t.bits == 8) return DType::boolean;
    if (code == dl::dtype_code::Int && t.bits == 64) return DType::i64;
  }
  throw nb::type_error(("argument '" + std::string(name) +
                        "': expected dtype float32, float16, bfloat16, float64, bool or int64, got " +
                        dtype_text(t))
                           .c_str());
}

dl::dtype to_dlpack(DType t) {
  switch (t) {
    case DType::f32: return nb::dtype<float>();
    case DType::f64: return nb::dtype<double>();
    case DType::f16: return {static_cast<std::uint8_t>(dl::dtype_code::Float), 16, 1};
    case DType::bf16: return {static_cast<std::uint8_t>(dl::dtype_code::Bfloat), 16, 1};
    case DType::boolean: return nb::dtype<bool>();
    case DType::i64: return nb::dtype<std::int64_t>();
  }
  return nb::dtype<float>();
}

template <class Array>
TensorView view_impl(const Array& a, const char* name) {
  if (a.device_type() != nb::device::cpu::value)
    throw nb::type_error(("argument '" + std::string(name) +
                          "': expected a CPU array, got one on another device (DLPack device type " +
                          std::to_string(a.device_type()) +
                          "); mha has no GPU backend yet: move it with .cpu()")
                             .c_str());
  const DType dtype = to_dtype(a.dtype(), name);
  const int rank = static_cast<int>(a.ndim());
  if (rank > kMaxRank)
    throw nb::value_error(("argument '" + std::string(name) + "': expected rank at most " +
                           std::to_string(kMaxRank) + ", got rank " + std::to_string(rank))
                              .c_str());
  std::int64_t dims[kMaxRank] = {}, strides[kMaxRank] = {};
  for (int i = 0; i < rank; ++i) {
    dims[i] = static_cast<std::int64_t>(a.shape(static_cast<std::size_t>(i)));
    strides[i] = a.stride(static_cast<std::size_t>(i));
    if (strides[i] < 0)
      throw nb::value_error(("argument '" + std::string(name) +
                             "': expected non-negative strides, got a stride of " +
                             std::to_string(strides[i]) + " in dimension " + std::to_string(i) +
                             " (pass a contiguous copy)")
                                .c_str());
    if (dims[i] <= 1) strides[i] = 0;  // any stride is valid for a dimension of size 0 or 1
  }
  const Shape shape(std::span<const std::int64_t>(dims, static_cast<std::size_t>(rank)));
  const Shape stride(std::span<const std::int64_t>(strides, static_cast<std::size_t>(rank)));
  return TensorView(a.data(), dtype, shape, stride);
}

}  // namespace

TensorView view_of(const InArray& a, const char* name) { return view_impl(a, name); }
TensorView view_of(const OutArray& a, const char* name) { return view_impl(a, name); }
TensorView view_of(const std::optional<InArray>& a, const char* name) {
  return a ? view_impl(*a, name) : TensorView();
}

Framework framework_of(const std::string& name) {
  if (name == "numpy") return Framework::numpy;
  if (name == "torch") return Framework::torch;
  throw nb::value_error(
      ("argument 'framework': expected \"numpy\" or \"torch\", got \"" + name + "\"").c_str());
}

nb::object to_python(Tensor t, Framework framework) {
  if (!t.defined()) return nb::none();
  const int rank = t.rank();
  std::size_t shape[kMaxRank] = {};
  for (int i = 0; i < rank; ++i) shape[i] = static_cast<std::size_t>(t.size(i));
  const dl::dtype dtype = to_dlpack(t.dtype());
  auto* owned = new Tensor(std::move(t));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<Tensor*>(p); });
  void* data = owned->data();
  if (framework == Framework::torch)
    return nb::cast(nb::ndarray<nb::pytorch>(data, static_cast<std::size_t>(rank), shape, owner,
                                             nullptr, dtype),
                    nb::rv_policy::reference);
  if (owned->dtype() == DType::bf16)
    throw nb::type_error("a bfloat16 result cannot be a NumPy array (NumPy has no bfloat16)");
  return nb::cast(
      nb::ndarray<nb::numpy>(data, static_cast<std::size_t>(rank), shape, owner, nullptr, dtype),
      nb::rv_policy::reference);
}

}  // namespace mha::python
