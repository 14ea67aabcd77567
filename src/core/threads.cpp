#include "mha/threads.hpp"

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/thread_scope.hpp"
#include "mha/error.hpp"

namespace mha {
namespace {

int default_threads() noexcept {
  if (const char* env = std::getenv("MHA_NUM_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 4096) return static_cast<int>(v);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

thread_local int scoped_threads = 0;  // > 0 inside a detail::ThreadScope on this thread

std::atomic<int>& threads_setting() {
  static std::atomic<int> n{default_threads()};
  return n;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw Error("mha::set_num_threads", "n", ">= 1", std::to_string(n));
  threads_setting().store(n);
}

int num_threads() noexcept { return scoped_threads > 0 ? scoped_threads : threads_setting().load(); }

namespace detail {

ThreadScope::ThreadScope(int n) noexcept : previous_(scoped_threads) { scoped_threads = n; }
ThreadScope::~ThreadScope() { scoped_threads = previous_; }

}  // namespace detail

}  // namespace mha
