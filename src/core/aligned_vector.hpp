#pragma once
// std::vector whose data start on a 64-byte boundary: a cache line, one AVX-512 vector. The
// kernels read their packed panels and scratch with whole-vector loads, and a vector load that
// straddles two cache lines costs two: the GEMM's weight panels at malloc's 16-byte alignment
// ran 10% slower (M=960 K=384 N=1536, one core: 140 against 157 GFLOP/s).
#include <cstddef>
#include <new>
#include <vector>

namespace mha::detail {

inline constexpr std::size_t kCacheLine = 64;

template <class T>
struct CacheAligned {
  using value_type = T;
  CacheAligned() noexcept = default;
  template <class U>
  CacheAligned(const CacheAligned<U>&) noexcept {}  // NOLINT: rebinding, as std::allocator
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kCacheLine}));
  }
  void deallocate(T* p, std::size_t) noexcept {
    ::operator delete (p, std::align_val_t{kCacheLine});
  }
  template <class U>
  bool operator==(const CacheAligned<U>&) const noexcept {
    return true;
  }
};

template <class T>
using aligned_vector = std::vector<T, CacheAligned<T>>;

}  // namespace mha::detail
