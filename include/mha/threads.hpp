#pragma once
// Thread count used by mha's parallel loops.
//
// Default: the MHA_NUM_THREADS environment variable when it holds a positive integer, else the
// number of hardware threads. set_num_threads overrides both for the whole process.
namespace mha {

void set_num_threads(int n);  // n >= 1; throws mha::Error otherwise
int num_threads() noexcept;

}  // namespace mha
