#pragma once
// Tensors: an owning, 64-byte-aligned Tensor and a non-owning strided TensorView.
//
// Layout: row-major by default; strides are in elements (not bytes), one per dimension, and may be
// zero (broadcast) but never negative. Rank is 0..4 (kMaxRank). A default-constructed view is
// "absent" (defined() == false): optional arguments take an absent view to mean "not given".
//
// Views do not own memory and do not track constness: a view built over const data must not be
// passed where mha writes (outputs). mha never writes through an input view.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>

#include "mha/dtype.hpp"

namespace mha {

inline constexpr int kMaxRank = 4;

// A shape of rank 0..4; dimensions are non-negative.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::span<const std::int64_t> dims);

  int rank() const noexcept { return rank_; }
  std::int64_t operator[](int i) const noexcept { return dims_[static_cast<std::size_t>(i)]; }
  std::int64_t& operator[](int i) noexcept { return dims_[static_cast<std::size_t>(i)]; }
  const std::int64_t* data() const noexcept { return dims_.data(); }
  // Product of the dimensions; throws mha::Error if it overflows int64.
  std::int64_t numel() const;
  std::string str() const;  // "[2, 3, 4]"
  bool operator==(const Shape& o) const noexcept;

 private:
  std::array<std::int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

class TensorView {
 public:
  TensorView() = default;  // absent
  // Contiguous row-major view.
  TensorView(const void* data, DType dtype, const Shape& shape);
  // Strided view; strides in elements, >= 0.
  TensorView(const void* data, DType dtype, const Shape& shape, const Shape& strides);

  bool defined() const noexcept { return defined_; }
  void* data() const noexcept { return data_; }
  DType dtype() const noexcept { return dtype_; }
  int rank() const noexcept { return shape_.rank(); }
  const Shape& shape() const noexcept { return shape_; }
  const Shape& strides() const noexcept { return strides_; }
  std::int64_t size(int i) const noexcept { return shape_[i]; }
  std::int64_t stride(int i) const noexcept { return strides_[i]; }
  std::int64_t numel() const { return shape_.numel(); }
  bool is_contiguous() const noexcept;

  // Same memory, other shape (contiguous views only; numel must match).
  TensorView reshaped(const Shape& shape) const;
  // Same memory, dimensions reordered: result dim i is this dim order[i].
  TensorView permuted(std::initializer_list<int> order) const;

  // Element access by multi-index (as many indices as the rank), converted; for tests and the
  // reference, not for kernels.
  double get(std::initializer_list<std::int64_t> index) const;
  void set(std::initializer_list<std::int64_t> index, double value) const;
  std::int64_t offset(std::initializer_list<std::int64_t> index) const noexcept;

  template <class T>
  T* data_as() const noexcept {
    return static_cast<T*>(data_);
  }

 private:
  void* data_ = nullptr;
  DType dtype_ = DType::f32;
  Shape shape_, strides_;
  bool defined_ = false;
};

// Row-major strides of a shape.
Shape contiguous_strides(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;  // absent
  // Zero-filled, contiguous, 64-byte aligned. Throws mha::Error on negative or overflowing sizes.
  Tensor(DType dtype, const Shape& shape);
  // The same without the zero fill (torch.empty): contents unspecified, for results written in
  // full before they are read. Large ones reuse recently released storage, so a loop of equal
  // calls does not fault in (and have the kernel zero) fresh pages every time.
  static Tensor uninitialized(DType dtype, const Shape& shape);
  // A contiguous copy of a view (any strides), optionally converted to another dtype.
  static Tensor copy_of(const TensorView& view);
  static Tensor copy_of(const TensorView& view, DType dtype);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  bool defined() const noexcept { return static_cast<bool>(storage_); }
  TensorView view() const { return defined() ? TensorView(storage_.get(), dtype_, shape_) : TensorView(); }
  operator TensorView() const { return view(); }  // NOLINT: a Tensor is usable wherever a view is
  void* data() const noexcept { return storage_.get(); }
  template <class T>
  T* data_as() const noexcept {
    return static_cast<T*>(static_cast<void*>(storage_.get()));
  }
  DType dtype() const noexcept { return dtype_; }
  const Shape& shape() const noexcept { return shape_; }
  int rank() const noexcept { return shape_.rank(); }
  std::int64_t size(int i) const noexcept { return shape_[i]; }
  std::int64_t numel() const { return shape_.numel(); }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }

 private:
  struct Free {
    void operator()(std::byte* p) const noexcept;
  };
  Tensor(DType dtype, const Shape& shape, bool zeroed);
  std::unique_ptr<std::byte, Free> storage_;
  DType dtype_ = DType::f32;
  Shape shape_;
};

// Copies src into dst elementwise (shapes must match, dtypes may differ: converted on the way).
void copy_into(const TensorView& src, const TensorView& dst);

// Tensors of 256 KiB and more live in anonymous mappings that are kept, when released, in a
// cache of at most 256 MiB (32 blocks) for later tensors to reuse. This returns the cached
// mappings to the operating system now (as torch.cuda.empty_cache does for its allocator);
// tensors alive keep theirs. Returns the bytes released.
std::size_t release_cached_storage() noexcept;

}  // namespace mha
