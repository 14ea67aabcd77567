#include <cstdlib>

#include "mha/model.hpp"

#ifndef MHA_DEFAULT_MODEL_DIR
#error "src/model/sources.cmake defines MHA_DEFAULT_MODEL_DIR"
#endif

namespace mha {

std::filesystem::path default_model_dir() {
  if (const char* env = std::getenv("MHA_MODEL_DIR"); env && *env) return env;
  return MHA_DEFAULT_MODEL_DIR;
}

}  // namespace mha
