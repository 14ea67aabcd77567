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
#include "mha/threads.hpp"

namespace mha {
namespace {

constexpr std::size_t kAlignment = 64;  // one cache line; also the widest SIMD load (zmm)

// Tensor storage. Every block starts with a header just before the returned pointer:
// [-2] the mapping's size (0: from malloc/calloc), [-1] the pointer to release.
//  - Small (under kMappedBytes), and every size under a sanitizer (which then checks every
//    byte): calloc (zeroed) or malloc (uninitialized), over-allocated and aligned up past the
//    header.
//  - From kMappedBytes: an anonymous mapping, kept in a bounded cache when released and reused
//    by later tensors that fit it. A loop of equal or shrinking calls (the module's projections
//    and outputs; the encoder's batches, longest first) then reuses pages already faulted in,
//    where glibc's heap trimming and fresh mappings made the kernel fault in and zero new pages
//    on every call: 227,000 page faults in `mha embed` of 1,000 sentences (7% of its time) and
//    28 faults of 2 MiB per module forward at B=4, S=512, E=768 (10%). A zeroed tensor in a
//    reused block is cleared with memset; one in a fresh mapping is zero already.
//  - From kHugeBytes, the data is 2 MiB-aligned and the mapping MADV_HUGEPAGE, so the kernel
//    backs it with transparent huge pages where it allows them: a fresh 50 MB tensor takes 25
//    page faults, not 12,800.
constexpr std::size_t kHeader = 2 * sizeof(void*);
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kHugeBytes = std::size_t{4} << 20;
constexpr std::size_t kMappedBytes = std::size_t{256} << 10;
// The cache: at most this many bytes and blocks, each at most half of the bytes; the oldest go
// first. Bounded so that the process keeps little more than one call's temporaries.
constexpr std::size_t kCacheMaxBytes = std::size_t{256} << 20;
constexpr std::size_t kCacheMaxBlocks = 32;
// copy_into splits copies of at least this many bytes over the library's threads (a fork and
// join costs microseconds; 4 MiB take about 0.3 ms on one core).
constexpr double kParallelCopyBytes = 4.0 * (1 << 20);

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
// Debug and sanitizer builds fill uninitialized storage with 0xff bytes (NaN as floats), so
// that a result not written in full shows in the tests.
#if defined(NDEBUG)
constexpr bool kPoisonUninitialized = !kMapLarge;
#else
constexpr bool kPoisonUninitialized = true;
#endif

std::size_t data_alignment(std::size_t bytes) { return bytes >= kHugeBytes ? kHugePage : kAlignment; }

// Where the data of `bytes` goes in a mapping at raw of `mapped` bytes; nullptr if it does not fit.
std::byte* fit(void* raw, std::size_t mapped, std::size_t bytes) {
  const auto start = reinterpret_cast<std::uintptr_t>(raw), align = data_alignment(bytes);
  const std::uintptr_t p = (start + kHeader + align - 1) / align * align;
  return p + bytes <= start + mapped ? reinterpret_cast<std::byte*>(p) : nullptr;
}

std::byte* place(void* raw, std::byte* p, std::size_t mapped) {
  reinterpret_cast<std::size_t*>(p)[-2] = mapped;
  reinterpret_cast<void**>(p)[-1] = raw;
  return p;
}

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

// The smallest cached block that fits `bytes` and is not more than 4× larger (a small tensor
// would otherwise hold a large block that a later large one needs).
std::byte* take_cached(std::size_t bytes) {
  BlockCache& c = block_cache();
  std::lock_guard lock(c.mutex);
  auto best = c.blocks.end();
  for (auto it = c.blocks.begin(); it != c.blocks.end(); ++it)
    if (it->mapped / 4 <= bytes && fit(it->raw, it->mapped, bytes) && (best == c.blocks.end() || it->mapped < best->mapped))
      best = it;
  if (best == c.blocks.end()) return nullptr;
  const Block b = *best;
  c.blocks.erase(best);
  c.bytes -= b.mapped;
  return place(b.raw, fit(b.raw, b.mapped, bytes), b.mapped);
}

std::byte* allocate(std::size_t bytes, bool zeroed) {
  std::byte* p = nullptr;
  if (kMapLarge && bytes >= kMappedBytes && bytes <= std::numeric_limits<std::size_t>::max() / 2) {
    // A zeroed huge tensor takes a fresh mapping (zero already; clearing a reused one costs
    // as much as the kernel's zeroing of fresh huge pages).
    if (!zeroed || bytes < kHugeBytes) p = take_cached(bytes);
    if (p) {
      if (zeroed) std::memset(p, 0, bytes);
    } else {
      const std::size_t mapped = bytes + kHeader + data_alignment(bytes);  // room to align up past the header
      void* raw = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (raw != MAP_FAILED) {
        p = place(raw, fit(raw, mapped, bytes), mapped);
        if (bytes >= kHugeBytes) madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without THP it still works
        return p;  // fresh pages read as zero
      }
    }
  }
  if (!p && bytes <= std::numeric_limits<std::size_t>::max() - kAlignment - kHeader) {
    void* raw = zeroed ? std::calloc(bytes + kAlignment + kHeader, 1) : std::malloc(bytes + kAlignment + kHeader);
    if (raw) {
      const auto addr = (reinterpret_cast<std::uintptr_t>(raw) + kHeader + kAlignment - 1) / kAlignment * kAlignment;
      p = place(raw, reinterpret_cast<std::byte*>(addr), 0);
    }
  }
  if (p && !zeroed && kPoisonUninitialized) std::memset(p, 0xff, bytes);
  return p;
}

void release(std::byte* p) noexcept {
  if (!p) return;
  const std::size_t mapped = reinterpret_cast<std::size_t*>(p)[-2];
  void* raw = reinterpret_cast<void**>(p)[-1];
  if (!mapped) return std::free(raw);
  if (mapped > kCacheMaxBytes / 2) {
    munmap(raw, mapped);
    return;
  }
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
}

}  // namespace

std::size_t release_cached_storage() noexcept {
  BlockCache& c = block_cache();
  std::deque<Block> blocks;
  {
    std::lock_guard lock(c.mutex);
    blocks.swap(c.blocks);
    c.bytes = 0;
  }
  std::size_t bytes = 0;
  for (const Block& b : blocks) {
    munmap(b.raw, b.mapped);
    bytes += b.mapped;
  }
  return bytes;
}

namespace {

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
  std::byte* p = allocate(bytes, zeroed);
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
    // Rows that follow each other on both sides go as one block per (a, b).
    const bool block = ss[2] == dims[3] && ds[2] == dims[3];
    const auto row_bytes = static_cast<std::size_t>(dims[3]) * es;
    const std::int64_t outer = dims[0] * dims[1];
    // A KV-cache append copies the whole cache on every call; one core alone does not reach
    // the memory's bandwidth, so large copies are split over the library's threads.
    const double bytes = static_cast<double>(outer) * static_cast<double>(dims[2]) * static_cast<double>(row_bytes);
    const int threads = bytes >= kParallelCopyBytes ? num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (std::int64_t ab = 0; ab < outer; ++ab) {
      const std::int64_t a = ab / dims[1], b = ab % dims[1];
      auto* d0 = static_cast<std::byte*>(dst.data()) + (a * ds[0] + b * ds[1]) * static_cast<std::int64_t>(es);
      const auto* s0 = static_cast<const std::byte*>(src.data()) + (a * ss[0] + b * ss[1]) * static_cast<std::int64_t>(es);
      if (block) {
        std::memcpy(d0, s0, static_cast<std::size_t>(dims[2]) * row_bytes);
        continue;
      }
      for (std::int64_t c = 0; c < dims[2]; ++c)
        std::memcpy(d0 + c * ds[2] * static_cast<std::int64_t>(es), s0 + c * ss[2] * static_cast<std::int64_t>(es), row_bytes);
    }
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
