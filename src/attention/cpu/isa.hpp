#pragma once
// Instruction-set targets of the CPU attention kernels, chosen at run time.
//
// One binary carries every target: the kernel template is compiled once per target (flash_*.cpp,
// each under its own target pragma and namespace) and the best one the CPU supports runs.
// MHA_ISA=scalar|avx2|avx512|avx512_bf16 forces a target (an unsupported one is an error, not a
// silent fallback); mha::force_isa does the same from code (tests run every supported target).
//
// avx512_bf16 is avx512 with bf16 inputs run by the vdpbf16ps kernel (flash_avx512_bf16.cpp)
// instead of the fp32 one. It is the default only where vdpbf16ps measures at least
// kBf16DotMinRatio times the fp32 FMA rate in flops (bf16_dot_pays, once per process): where it
// runs at half the FMA rate (this project's Xeon) the fp32 kernel takes bf16 inputs twice as fast.
// The two kernels round differently; on a CPU whose ratio lies near the threshold, where two
// processes could measure it on either side, MHA_ISA pins the choice.
#include <string>
#include <vector>

namespace mha::detail {

enum class Isa { scalar, avx2, avx512, avx512_bf16 };

// vdpbf16ps's flops per second over the fp32 FMA's on this core (measured once, on the calling
// thread, in about 0.2 ms; 0 without AVX-512 BF16), and whether it reaches kBf16DotMinRatio.
double bf16_dot_ratio();
bool bf16_dot_pays();
// The timings behind the ratio: each timed loop's instruction count (512-bit FMAs, then as many
// vdpbf16ps) and the best seconds of each; all 0 without AVX-512 BF16.
struct DotTimings {
  long instructions = 0;
  double fma_seconds = 0, dot_seconds = 0;
};
DotTimings bf16_dot_timings();

const char* isa_name(Isa isa) noexcept;
bool isa_supported(Isa isa) noexcept;
std::vector<Isa> supported_isas();
// The target kernels run on now: forced (force_isa or MHA_ISA) or the best supported.
Isa active_isa();
// Forces a target for the whole process (throws mha::Error when the CPU lacks it);
// force_isa(std::nullopt)-like reset: pass the best supported.
void force_isa(Isa isa);
void reset_isa();

// The whole-group mode's budgets in bytes (Tuning::chunk_bytes): of a key chunk's packed keys and
// values, and of the state that a span of row blocks keeps between chunks. Tests override them
// so that small problems take the chunked path too; 0 restores the target's value.
struct ChunkBytes {
  long long keys = 0, state = 0;
};
void set_chunk_bytes(ChunkBytes bytes);
ChunkBytes chunk_bytes_override();

// The AVX-512 kernel's rows-in-lanes path for short key sets (flash_lanes.inc), on by default;
// tests turn it off to compare it with the row-block path, bit for bit.
void set_rows_in_lanes(bool on);
bool rows_in_lanes_enabled();
// Calls the rows-in-lanes path has run since the process started (tests check that a problem
// took it: the path otherwise falls back to the row blocks, which would compare equal to
// themselves).
void count_rows_in_lanes_run();
long long rows_in_lanes_runs();

}  // namespace mha::detail
