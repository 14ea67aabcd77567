#pragma once
// The parts of the extension module mha._core, one file each; module.cpp puts them together.
#include <nanobind/nanobind.h>

namespace mha::python {

void bind_attention(nanobind::module_& m);             // attention.cpp
void bind_multi_head_attention(nanobind::module_& m);  // multi_head_attention.cpp
void bind_model(nanobind::module_& m);                 // model.cpp

}  // namespace mha::python
