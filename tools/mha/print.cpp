// Formatting helpers for `mha explain`.
#include "print.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "mha/error.hpp"

namespace mha::cli {

std::string row_values(const TensorView& t, std::int64_t row, std::int64_t count) {
  const std::int64_t last = t.size(t.rank() - 1);
  std::string s;
  for (std::int64_t i = 0; i < std::min(count, last); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.4f", load_as_double(t.data(), t.dtype(), row * last + i));
    if (i > 0) s += ' ';
    s += buf;
  }
  return s;
}

double max_abs_diff(const TensorView& a, const TensorView& b) {
  if (!(a.shape() == b.shape()))
    throw Error("mha explain", "tensors to compare", "equal shapes",
                a.shape().str() + " and " + b.shape().str());
  double m = 0.0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const double d =
        std::abs(load_as_double(a.data(), a.dtype(), i) - load_as_double(b.data(), b.dtype(), i));
    if (std::isnan(d)) return d;  // a NaN must never read as a small difference
    m = std::max(m, d);
  }
  return m;
}

std::string general(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace mha::cli
