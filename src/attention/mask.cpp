#include "mha/mask.hpp"

#include "mha/error.hpp"

namespace mha {
namespace {

void require_bool(const TensorView& t, const char* ctor) {
  if (!t.defined()) throw Error(ctor, "mask", "a defined tensor", "an absent view");
  if (t.dtype() != DType::boolean)
    throw Error(ctor, "mask", "dtype bool (use Mask::additive for float masks)", dtype_name(t.dtype()));
}

}  // namespace

Mask Mask::keep(const TensorView& bools) {
  require_bool(bools, "mha::Mask::keep");
  return Mask(MaskKind::keep, bools);
}

Mask Mask::drop(const TensorView& bools) {
  require_bool(bools, "mha::Mask::drop");
  return Mask(MaskKind::drop, bools);
}

Mask Mask::additive(const TensorView& values) {
  if (!values.defined()) throw Error("mha::Mask::additive", "mask", "a defined tensor", "an absent view");
  if (!is_floating(values.dtype()))
    throw Error("mha::Mask::additive", "mask", "a floating dtype (f32, f64, f16, bf16; use Mask::keep or Mask::drop for bool)",
                dtype_name(values.dtype()));
  return Mask(MaskKind::additive, values);
}

}  // namespace mha
