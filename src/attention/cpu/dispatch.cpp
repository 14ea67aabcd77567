// Chooses the kernel for one attention call.
#include "attention/cpu/flash.hpp"
#include "attention/cpu/isa.hpp"
#include "attention/params.hpp"

namespace mha::detail {

void run_attention(const AttentionParams& p) {
  // Dropout (module training) is drawn per probability; the row kernel does it simply.
  if (p.dropout_p > 0.0f) return run_row_kernel(p);
  switch (active_isa()) {
    case Isa::avx512: return run_flash_avx512(p);
    case Isa::avx2: return run_flash_avx2(p);
    case Isa::scalar: return run_flash_scalar(p);
  }
}

}  // namespace mha::detail
