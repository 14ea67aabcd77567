#pragma once
// Arrays between Python and mha: NumPy arrays and PyTorch CPU tensors (anything nanobind's
// nb::ndarray takes: DLPack or the buffer protocol) seen as mha::TensorView without a copy, and
// mha::Tensor results handed to Python without a copy (the array owns the Tensor).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <optional>
#include <string>

#include "mha/tensor.hpp"

namespace mha::python {

namespace nb = nanobind;

// Inputs: any dtype, rank, strides and device (checked by view_of, with messages that name the
// argument); read-only arrays (np.broadcast_to) are fine.
using InArray = nb::ndarray<nb::ro>;
// Outputs written by mha: writable.
using OutArray = nb::ndarray<>;

// The array as a TensorView over its own memory. Throws TypeError for a device other than the
// CPU or an unsupported dtype, ValueError for rank > 4 or negative strides; `name` is the
// argument's name in the message.
TensorView view_of(const InArray& a, const char* name);
TensorView view_of(const OutArray& a, const char* name);
TensorView view_of(const std::optional<InArray>& a, const char* name);  // absent: absent view

// Which kind of array a result becomes.
enum class Framework { numpy, torch };
Framework framework_of(const std::string& name);  // "numpy" or "torch"

// The Tensor as a NumPy array or a torch tensor that owns it (no copy).
nb::object to_python(Tensor t, Framework framework);

}  // namespace mha::python
