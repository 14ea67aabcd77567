#include "mha/tensor.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>
#include <cstdlib>
#include <limits>
#include <new>

#include "mha/error.hpp"

namespace mha {
namespace {

constexpr std::size_t kAlignment = 64;  // one cache line; also the widest SIMD load (zmm)

// Zero-filled storage. Every block starts with a header just before the returned pointer:
// [-2] the mapping's size (0: from calloc), [-1] the pointer to release.
//  - Small: calloc, over-allocated and aligned up past the header. calloc, not aligned_alloc
//    + memset: glibc skips the memset where its memory is fresh from the kernel, so a tensor
//    about to be overwritten (projections, attention outputs) costs no extra pass.
//  - At least kHugeBytes (unless built with AddressSanitizer, which then checks every byte):
//    an anonymous mapping with the data 2 MiB-aligned and MADV_HUGEPAGE, so that the kernel
//    backs it with transparent huge pages where it allows them. A fresh 50 MB tensor (the
//    module's attention probabilities at B=4, H=12, S=512) then takes 25 page faults, not
//    12,800 — measured about 10% of the module's time with need_weights.
constexpr std::size_t kHeader = 2 * sizeof(void*);
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kHugeBytes = std::size_t{4} << 20;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMapLarge = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kMapLarge = false;
#else
constexpr bool kMapLarge = true;
#endif
#else
constexpr bool kMapLarge = true;
#endif
#if defined(NDEBUG)
constexpr bool kPoisonUninitialized = !kMapLarge;
#else
constexpr bool kPoisonUninitialized = true;
#endif

std::byte* place(void* raw, std::size_t offset, std::size_t align, std::size_t mapped) {
  const auto addr = reinterpret_cast<std::uintptr_t>(raw) + offset;
  auto* p = reinterpret_cast<std::byte*>((addr + align - 1) / align * align);
  reinterpret_cast<std::size_t*>(p)[-2] = mapped;
  reinterpret_cast<void**>(p)[-1] = raw;
  return p;
}

std::byte* allocate_zeroed(std::size_t bytes) {
  if (kMapLarge && bytes >= kHugeBytes && bytes <= std::numeric_limits<std::size_t>::max() - 2 * kHugePage) {
    const std::size_t size = bytes + 2 * kHugePage;  // room to align up past the header
    void* raw = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw != MAP_FAILED) {
      std::byte* p = place(raw, kHeader, kHugePage, size);
      madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without THP the mapping still works
      return p;
    }
  }
  if (bytes > std::numeric_limits<std::size_t>::max() - kAlignment - kHeader) return nullptr;
  void* raw = std::calloc(bytes + kAlignment + kHeader, 1);
  return raw ? place(raw, kHeader, kAlignment, 0) : nullptr;
}

// Recently released large mappings, kept for Tensor::uninitialized: a loop of equal calls (the
// module's projections and attention outputs, 6–50 MB each at B=4, S=512, E=768) then reuses
// pages already faulted in instead of having the kernel zero fresh ones on every call (the
// module took 28 faults of 2 MiB, 56 MB zeroed, per forward: about 10% of its time). Bounded
// so that the process does not keep much more than one call's temporaries.
constexpr std::size_t kCacheMaxBytes = std::size_t{256} << 20;
constexpr std::size_t kCacheMaxBlocks = 16;

struct Block {
  void* raw;
  std::size_t mapped;
};

struct BlockCache {
  std::mutex mutex;
  std::deque<Block> blocks;  // oldest first
  std::size_t bytes = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: tensors may outlive statics
  return *cache;
}

void release(std::byte* p) noexcept {
  if (!p) return;
  const std::size_t mapped = reinterpret_cast<std::size_t*>(p)[-2];
  void* raw = reinterpret_cast<void**>(p)[-1];
  if (!mapped) return std::free(raw);
  if (mapped <= kCacheMaxBytes / 2) {
    BlockCache& c = block_cache();
    std::vector<Block> evicted;
    {
      std::lock_guard lock(c.mutex);
      while (!c.blocks.empty() && (c.bytes + mapped > kCacheMaxBytes || c.blocks.size() >= kCacheMaxBlocks)) {
        evicted.push_back(c.blocks.front());
        c.bytes -= c.blocks.front().mapped;
        c.blocks.pop_front();
      }
      c.blocks.push_back({raw, mapped});
      c.bytes += mapped;
    }
    for (const Block& b : evicted) munmap(b.raw, b.mapped);
    return;
  }
  munmap(raw, mapped);
}

// Storage whose contents the caller overwrites: a cached mapping that fits (without wasting
// more than half of it), else fresh (zeroed) storage. Sanitizer and debug builds fill it with
// 0xff bytes (NaN as floats), so that a result not written in full shows in the tests.
std::byte* allocate_uninitialized(std::size_t bytes) {
  if (kMapLarge && bytes >= kHugeBytes) {
    BlockCache& c = block_cache();
    std::lock_guard lock(c.mutex);
    const std::size_t need = bytes + 2 * kHugePage;  // as allocate_zeroed maps it
    auto best = c.blocks.end();
    for (auto it = c.blocks.begin(); it != c.blocks.end(); ++it)
      if (it->mapped >= need && it->mapped / 2 <= need && (best == c.blocks.end() || it->mapped < best->mapped)) best = it;
    if (best != c.blocks.end()) {
      const Block b = *best;
      c.blocks.erase(best);
      c.bytes -= b.mapped;
      return place(b.raw, kHeader, kHugePage, b.mapped);
    }
  }
  std::byte* p = nullptr;
  if (bytes >= kHugeBytes && kMapLarge) {
    p = allocate_zeroed(bytes);  // a fresh mapping: its pages are zeroed as they are first touched
  } else if (bytes <= std::numeric_limits<std::size_t>::max() - kAlignment - kHeader) {
    void* raw = std::malloc(bytes + kAlignment + kHeader);  // malloc, not calloc: no zero fill
    p = raw ? place(raw, kHeader, kAlignment, 0) : nullptr;
  }
  if (p && kPoisonUninitialized) std::memset(p, 0xff, bytes);
  return p;
}

void check_rank(std::size_t n) {
  if (n > static_cast<std::size_t>(kMaxRank))
    throw Error("mha::Shape", "dims", "rank <= 4", "rank " + std::to_string(n));
}

}  // namespace

Shape::Shape(std::initializer_list<std::int64_t> dims) {
  check_rank(dims.size());
  rank_ = static_cast<int>(dims.size());
  int i = 0;
  for (auto d : dims) dims_[static_cast<std::size_t>(i++)] = d;
}

Shape::Shape(std::span<const std::int64_t> dims) {
  check_rank(dims.size());
  rank_ = static_cast<int>(dims.size());
  for (int i = 0; i < rank_; ++i) dims_[static_cast<std::size_t>(i)] = dims[static_cast<std::size_t>(i)];
}

std::int64_t Shape::numel() const {
  std::int64_t n = 1;
  for (int i = 0; i < rank_; ++i) {
    const std::int64_t d = dims_[static_cast<std::size_t>(i)];
    if (d < 0) throw Error("mha::Shape", "dims", "non-negative dimensions", "shape " + str());
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d)
      throw Error("mha::Shape", "dims", "an element count that fits in int64", "shape " + str());
    n *= d;
  }
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[static_cast<std::size_t>(i)]);
  }
  return s + "]";
}

bool Shape::operator==(const Shape& o) const noexcept {
  if (rank_ != o.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[static_cast<std::size_t>(i)] != o.dims_[static_cast<std::size_t>(i)]) return false;
  return true;
}

Shape contiguous_strides(const Shape& shape) {
  Shape s = shape;
  std::int64_t st = 1;
  for (int i = shape.rank() - 1; i >= 0; --i) {
    s[i] = st;
    st *= shape[i] > 0 ? shape[i] : 1;
  }
  return s;
}

TensorView::TensorView(const void* data, DType dtype, const Shape& shape)
    : TensorView(data, dtype, shape, contiguous_strides(shape)) {}

TensorView::TensorView(const void* data, DType dtype, const Shape& shape, const Shape& strides)
    : data_(const_cast<void*>(data)), dtype_(dtype), shape_(shape), strides_(strides), defined_(true) {
  if (strides.rank() != shape.rank())
    throw Error("mha::TensorView", "strides", "one stride per dimension (" + std::to_string(shape.rank()) + ")",
                std::to_string(strides.rank()));
  (void)shape.numel();  // validates non-negative, non-overflowing
  for (int i = 0; i < strides.rank(); ++i)
    if (strides[i] < 0)
      throw Error("mha::TensorView", "strides", "non-negative strides", "strides " + strides.str());
  if (data == nullptr && shape.numel() != 0)
    throw Error("mha::TensorView", "data", "a non-null pointer for a non-empty view", "nullptr");
}

bool TensorView::is_contiguous() const noexcept {
  std::int64_t st = 1;
  for (int i = rank() - 1; i >= 0; --i) {
    if (shape_[i] != 1 && strides_[i] != st) return false;
    st *= shape_[i];
  }
  return true;
}

TensorView TensorView::reshaped(const Shape& shape) const {
  if (!is_contiguous())
    throw Error("mha::TensorView::reshaped", "view", "a contiguous view", "strides " + strides_.str());
  if (shape.numel() != numel())
    throw Error("mha::TensorView::reshaped", "shape", std::to_string(numel()) + " elements",
                shape.str() + " (" + std::to_string(shape.numel()) + " elements)");
  return TensorView(data_, dtype_, shape);
}

TensorView TensorView::permuted(std::initializer_list<int> order) const {
  if (static_cast<int>(order.size()) != rank())
    throw Error("mha::TensorView::permuted", "order", std::to_string(rank()) + " entries",
                std::to_string(order.size()));
  Shape sh = shape_, st = strides_;
  int i = 0;
  unsigned seen = 0;
  for (int o : order) {
    if (o < 0 || o >= rank() || (seen & (1u << o)))
      throw Error("mha::TensorView::permuted", "order", "a permutation of 0.." + std::to_string(rank() - 1),
                  "a repeated or out-of-range entry " + std::to_string(o));
    seen |= 1u << o;
    sh[i] = shape_[o];
    st[i] = strides_[o];
    ++i;
  }
  return TensorView(data_, dtype_, sh, st);
}

std::int64_t TensorView::offset(std::initializer_list<std::int64_t> index) const noexcept {
  std::int64_t off = 0;
  int i = 0;
  for (auto x : index) off += x * strides_[i++];
  return off;
}

double TensorView::get(std::initializer_list<std::int64_t> index) const {
  if (static_cast<int>(index.size()) != rank())
    throw Error("mha::TensorView::get", "index", std::to_string(rank()) + " indices", std::to_string(index.size()));
  int i = 0;
  for (auto x : index) {
    if (x < 0 || x >= shape_[i])
      throw Error("mha::TensorView::get", "index", "an index inside " + shape_.str(),
                  std::to_string(x) + " in dimension " + std::to_string(i));
    ++i;
  }
  return load_as_double(data_, dtype_, offset(index));
}

void TensorView::set(std::initializer_list<std::int64_t> index, double value) const {
  (void)get(index);  // bounds check
  store_from_double(data_, dtype_, offset(index), value);
}

void Tensor::Free::operator()(std::byte* p) const noexcept { release(p); }

Tensor::Tensor(DType dtype, const Shape& shape) : Tensor(dtype, shape, true) {}

Tensor Tensor::uninitialized(DType dtype, const Shape& shape) { return Tensor(dtype, shape, false); }

Tensor::Tensor(DType dtype, const Shape& shape, bool zeroed) : dtype_(dtype), shape_(shape) {
  const std::int64_t n = shape.numel();
  const std::size_t esize = dtype_size(dtype);
  if (static_cast<std::uint64_t>(n) > (std::numeric_limits<std::size_t>::max() - kAlignment) / esize)
    throw Error("mha::Tensor", "shape", "a byte size that fits in size_t", shape.str());
  std::size_t bytes = static_cast<std::size_t>(n) * esize;
  bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (bytes == 0) bytes = kAlignment;  // an empty tensor is still "defined"
  std::byte* p = zeroed ? allocate_zeroed(bytes) : allocate_uninitialized(bytes);
  if (!p) throw Error("mha::Tensor", "shape", "an allocatable size", shape.str() + " (" + std::to_string(bytes) + " bytes)");
  storage_.reset(p);
}

Tensor::Tensor(const Tensor& other) : dtype_(other.dtype_), shape_(other.shape_) {
  if (!other.defined()) return;
  Tensor t = uninitialized(other.dtype_, other.shape_);
  std::memcpy(t.data(), other.data(), other.nbytes());
  storage_ = std::move(t.storage_);
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) *this = Tensor(other);
  return *this;
}

Tensor Tensor::copy_of(const TensorView& view) { return copy_of(view, view.dtype()); }

Tensor Tensor::copy_of(const TensorView& view, DType dtype) {
  if (!view.defined()) return Tensor();
  Tensor t = uninitialized(dtype, view.shape());
  copy_into(view, t.view());
  return t;
}

void copy_into(const TensorView& src, const TensorView& dst) {
  if (!(src.shape() == dst.shape()))
    throw Error("mha::copy_into", "dst", "shape " + src.shape().str(), dst.shape().str());
  const int r = src.rank();
  std::array<std::int64_t, kMaxRank> dims{1, 1, 1, 1}, ss{0, 0, 0, 0}, ds{0, 0, 0, 0};
  // Right-align into 4 dimensions.
  for (int i = 0; i < r; ++i) {
    dims[static_cast<std::size_t>(kMaxRank - r + i)] = src.size(i);
    ss[static_cast<std::size_t>(kMaxRank - r + i)] = src.stride(i);
    ds[static_cast<std::size_t>(kMaxRank - r + i)] = dst.stride(i);
  }
  const bool same = src.dtype() == dst.dtype();
  const std::size_t es = dtype_size(src.dtype());
  if (same && ss[3] == 1 && ds[3] == 1) {  // whole rows at once (KV-cache appends, layout copies)
    const auto row_bytes = static_cast<std::size_t>(dims[3]) * es;
    for (std::int64_t a = 0; a < dims[0]; ++a)
      for (std::int64_t b = 0; b < dims[1]; ++b)
        for (std::int64_t c = 0; c < dims[2]; ++c)
          std::memcpy(static_cast<std::byte*>(dst.data()) + (a * ds[0] + b * ds[1] + c * ds[2]) * static_cast<std::int64_t>(es),
                      static_cast<const std::byte*>(src.data()) + (a * ss[0] + b * ss[1] + c * ss[2]) * static_cast<std::int64_t>(es),
                      row_bytes);
    return;
  }
  for (std::int64_t a = 0; a < dims[0]; ++a)
    for (std::int64_t b = 0; b < dims[1]; ++b)
      for (std::int64_t c = 0; c < dims[2]; ++c)
        for (std::int64_t d = 0; d < dims[3]; ++d) {
          const std::int64_t so = a * ss[0] + b * ss[1] + c * ss[2] + d * ss[3];
          const std::int64_t dof = a * ds[0] + b * ds[1] + c * ds[2] + d * ds[3];
          if (same)
            std::memcpy(static_cast<std::byte*>(dst.data()) + dof * static_cast<std::int64_t>(es),
                        static_cast<const std::byte*>(src.data()) + so * static_cast<std::int64_t>(es), es);
          else
            store_from_double(dst.data(), dst.dtype(), dof, load_as_double(src.data(), src.dtype(), so));
        }
}

}  // namespace mha
