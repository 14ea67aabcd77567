// mha._core: the extension module under the Python package mha (python/mha/). The package's
// Python code gives the public API its torch and ONNX shapes; this module does the work.
//
// Errors: mha::Error becomes TypeError when it is about a dtype, ValueError otherwise, with
// the library's message unchanged.
#include <nanobind/stl/string.h>

#include <string>

#include "arrays.hpp"
#include "bindings.hpp"
#include "mha/error.hpp"
#include "mha/info.hpp"
#include "mha/threads.hpp"
#include "mha/version.hpp"

namespace nb = nanobind;

NB_MODULE(_core, m) {
  m.doc() = "mha's extension module (use the mha package, not this module)";
  m.attr("__version__") = MHA_VERSION_STRING;

  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const mha::Error& e) {
      const bool about_dtype = e.expected().find("dtype") != std::string::npos;
      PyErr_SetString(about_dtype ? PyExc_TypeError : PyExc_ValueError, e.what());
    }
  });

  m.def("set_num_threads", &mha::set_num_threads, nb::arg("n"),
        "Threads used by mha's parallel loops, for the whole process (n >= 1).");
  m.def("num_threads", &mha::num_threads, "Threads mha's parallel loops use.");
  m.def("info_report", [](const std::string& note) { return mha::info_report(note); },
        nb::arg("threads_note"), "The report of `mha info`; threads_note says where the thread count came from.");
  m.def(
      "_data_pointer",
      [](const mha::python::InArray& a) {
        return reinterpret_cast<std::uintptr_t>(mha::python::view_of(a, "array").data());
      },
      nb::arg("array"),
      "The address mha reads an array at (tests: equal to the array's own address = no copy).");

  mha::python::bind_attention(m);
  mha::python::bind_multi_head_attention(m);
  mha::python::bind_model(m);
}
