#pragma once
// num_threads() overridden on the calling thread for a scope: a parallel loop whose iterations
// call other parallel code (forward_packed: one attention call per sequence, sequences shared
// by the threads) runs those calls on one thread each instead of nesting thread teams.

namespace mha::detail {

class ThreadScope {
 public:
  explicit ThreadScope(int n) noexcept;  // n >= 1
  ~ThreadScope();
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int previous_;
};

}  // namespace mha::detail
