// The progress bar of progress.hpp.
#include "progress.hpp"

#include <cstdio>

namespace mha::cli {

Progress::Progress(std::string what, std::size_t total, bool enabled)
    : what_(std::move(what)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

void Progress::update(std::size_t done) {
  if (!enabled_) return;
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = total_ ? kWidth * done / total_ : kWidth;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  // \r and a redraw: one line, whatever the number of updates.
  std::fprintf(stderr, "\r%s [%s] %zu/%zu  %.1f s", what_.c_str(), bar.c_str(), done, total_, s);
  std::fflush(stderr);
  open_ = true;
}

void Progress::finish() {
  if (!open_) return;
  std::fputc('\n', stderr);
  open_ = false;
}

}  // namespace mha::cli
