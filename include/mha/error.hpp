#pragma once
// mha::Error — the one exception type of the library.
//
// The library validates its inputs once, at the public boundary, and reports every problem as an
// mha::Error whose message names the function, the argument, what was expected and what was given:
//
//   mha::attention: argument 'key': expected rank 3 or 4, got rank 2 (shape [4, 8])
//
// Outputs passed by the caller are left untouched when an Error is thrown.
#include <stdexcept>
#include <string>

namespace mha {

class Error : public std::runtime_error {
 public:
  // A free-form message (used where there is no single argument to blame, e.g. a file).
  explicit Error(const std::string& message);
  // The structured form: "<where>: argument '<argument>': expected <expected>, got <actual>".
  Error(std::string where, std::string argument, std::string expected, std::string actual);

  const std::string& where() const noexcept { return where_; }
  const std::string& argument() const noexcept { return argument_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& actual() const noexcept { return actual_; }

 private:
  std::string where_, argument_, expected_, actual_;
};

}  // namespace mha
