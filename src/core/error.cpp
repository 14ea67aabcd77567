#include "mha/error.hpp"

namespace mha {
namespace {

std::string compose(const std::string& where, const std::string& argument, const std::string& expected,
                    const std::string& actual) {
  std::string m = where;
  m.append(": argument '").append(argument).append("': expected ").append(expected);
  m.append(", got ").append(actual);
  return m;
}

}  // namespace

Error::Error(const std::string& message) : std::runtime_error(message) {}

Error::Error(std::string where, std::string argument, std::string expected, std::string actual)
    : std::runtime_error(compose(where, argument, expected, actual)),
      where_(std::move(where)),
      argument_(std::move(argument)),
      expected_(std::move(expected)),
      actual_(std::move(actual)) {}

}  // namespace mha
