#pragma once
// A progress bar on stderr for long runs: "embedding [#######.......]  640/1000  2.1 s",
// redrawn in place. Silent unless enabled (mha embed: stderr is a terminal, or --progress).
#include <chrono>
#include <cstddef>
#include <string>

namespace mha::cli {

class Progress {
 public:
  Progress(std::string what, std::size_t total, bool enabled);
  ~Progress();  // ends the line if finish() was not called
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::size_t done);
  void finish();

 private:
  std::string what_;
  std::size_t total_;
  bool enabled_, open_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mha::cli
