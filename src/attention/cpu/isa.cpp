#include "attention/cpu/isa.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "mha/cpu_info.hpp"
#include "mha/error.hpp"

namespace mha::detail {
namespace {

constexpr Isa kAll[] = {Isa::scalar, Isa::avx2, Isa::avx512, Isa::avx512_bf16};

Isa best_isa() {
  if (isa_supported(Isa::avx512_bf16) && bf16_dot_pays()) return Isa::avx512_bf16;
  if (isa_supported(Isa::avx512)) return Isa::avx512;
  if (isa_supported(Isa::avx2)) return Isa::avx2;
  return Isa::scalar;
}

Isa initial_isa() {
  const char* env = std::getenv("MHA_ISA");
  if (!env || !*env) return best_isa();
  for (Isa isa : kAll)
    if (std::strcmp(env, isa_name(isa)) == 0) {
      if (!isa_supported(isa))
        throw Error("MHA_ISA", "MHA_ISA", std::string("a target this CPU supports (") + isa_name(best_isa()) + " or lower)",
                    env);
      return isa;
    }
  throw Error("MHA_ISA", "MHA_ISA", "scalar, avx2, avx512 or avx512_bf16", env);
}

std::atomic<int>& current() {
  static std::atomic<int> isa{static_cast<int>(initial_isa())};
  return isa;
}

}  // namespace

const char* isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::avx512_bf16: return "avx512_bf16";
  }
  return "?";
}

bool isa_supported(Isa isa) noexcept {
  static const CpuFeatures f = cpu_info().features;
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2: return f.avx2 && f.fma && f.f16c;
    case Isa::avx512: return f.avx512f && f.avx512dq && f.avx512bw && f.avx512vl && f.avx2 && f.fma && f.f16c;
    case Isa::avx512_bf16: return isa_supported(Isa::avx512) && f.avx512_bf16;
  }
  return false;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> v;
  for (Isa isa : kAll)
    if (isa_supported(isa)) v.push_back(isa);
  return v;
}

Isa active_isa() { return static_cast<Isa>(current().load()); }

void force_isa(Isa isa) {
  if (!isa_supported(isa))
    throw Error("mha::detail::force_isa", "isa", "a target this CPU supports", isa_name(isa));
  current().store(static_cast<int>(isa));
}

void reset_isa() { current().store(static_cast<int>(best_isa())); }

namespace {
std::atomic<long long> chunk_keys{0}, chunk_state{0};
}
void set_chunk_bytes(ChunkBytes bytes) {
  chunk_keys.store(bytes.keys);
  chunk_state.store(bytes.state);
}
ChunkBytes chunk_bytes_override() { return {chunk_keys.load(), chunk_state.load()}; }

namespace {
std::atomic<bool> rows_in_lanes{true};
}
void set_rows_in_lanes(bool on) { rows_in_lanes.store(on); }
bool rows_in_lanes_enabled() { return rows_in_lanes.load(); }

namespace {
std::atomic<long long> lanes_runs{0};
}
void count_rows_in_lanes_run() { lanes_runs.fetch_add(1, std::memory_order_relaxed); }
long long rows_in_lanes_runs() { return lanes_runs.load(std::memory_order_relaxed); }

}  // namespace mha::detail
