#include "mha/error.hpp"

namespace mha {

Error::Error(const std::string& message) : std::runtime_error(message) {}

Error::Error(std::string where, std::string argument, std::string expected, std::string actual)
    : std::runtime_error(where + ": argument '" + argument + "': expected " + expected + ", got " +
                         actual),
      where_(std::move(where)),
      argument_(std::move(argument)),
      expected_(std::move(expected)),
      actual_(std::move(actual)) {}

}  // namespace mha
