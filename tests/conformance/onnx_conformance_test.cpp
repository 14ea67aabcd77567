// The ONNX conformance suite (ctest -L onnx): every `test_attention*` backend node case of the
// onnx 1.23.2 package, run through mha::attention and compared with the expected outputs.
//
// Data: tests/conformance/onnx, written by scripts/export_onnx_cases.py. One test per case,
// named after it (Onnx/Conformance.Case/<case>), plus a summary test that runs them all and
// prints "ONNX conformance: N passed, M failed".
//
// Each output element is checked three ways (bounds and their derivation: onnx_bounds.hpp):
//   mha vs expected  within E_ref + E_mha   the conformance check proper
//   expected vs exact within E_ref           the bound covers the onnx reference's own rounding
//                                            (and mha's specification agrees with ONNX's)
//   mha vs exact     within E_mha            mha agrees with its own specification
// where "exact" is mha::reference::attention in double. present_key/present_value are copies:
// they must match exactly. MHA_ONNX_VERBOSE=1 prints every comparison's worst element, to see
// how close each case comes to its bounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "common/isa.hpp"
#include "conformance/onnx_bounds.hpp"
#include "conformance/onnx_case.hpp"
#include "mha/error.hpp"
#include "mha/reference.hpp"

namespace mha::onnx_conformance {

// gtest prints a parameter when a test fails; the case name says it all.
void PrintTo(const OnnxCase& c, std::ostream* os) { *os << c.name; }

namespace {

constexpr int kExpectedOperatorCases = 93;  // onnx 1.23.2: 93 test_attention* operator cases
constexpr int kExpectedExpandedCases = 93;  // and their 93 _expanded twins

struct IndexOrError {
  OnnxIndex index;
  std::string error;  // why the index could not be read; empty when it was
};

const IndexOrError& suite() {
  static const IndexOrError s = [] {
    IndexOrError r;
    try {
      r.index = load_index(data_dir());
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }();
  return s;
}

// y as [B, Hq, Sq, Dv]: 3-D layouts hold [B, Sq, Hq·Dv].
TensorView heads_view(const TensorView& y, std::int64_t Hq) {
  if (y.rank() == 4) return y;
  const std::int64_t B = y.size(0), Sq = y.size(1), Dv = y.size(2) / Hq;
  return y.reshaped(Shape{B, Sq, Hq, Dv}).permuted({0, 2, 1, 3});
}

// err / bound for one element; 0 when equal, infinity when it cannot be accepted. NaN and ±inf
// in the expected values must be reproduced exactly (fully masked rows, poisoned inputs).
double ratio(double got, double want, double bound) {
  if (std::isnan(want)) return std::isnan(got) ? 0.0 : std::numeric_limits<double>::infinity();
  if (std::isinf(want)) return got == want ? 0.0 : std::numeric_limits<double>::infinity();
  if (!std::isfinite(got)) return std::numeric_limits<double>::infinity();
  const double err = std::abs(got - want);
  if (err == 0.0) return 0.0;
  return bound > 0.0 ? err / bound : std::numeric_limits<double>::infinity();
}

// The worst element of one comparison of one output.
class Comparison {
 public:
  explicit Comparison(std::string what) : what_(std::move(what)) {}
  void add(double got, double want, double bound, const std::int64_t (&at)[4]) {
    const double r = ratio(got, want, bound);
    ++count_;
    if (r > 1.0) ++violations_;
    if (r > worst_ || (count_ == 1 && r == 0.0)) {
      worst_ = r;
      std::ostringstream os;
      os.precision(9);
      os << "[" << at[0] << "," << at[1] << "," << at[2] << "," << at[3] << "] got " << got
         << ", want " << want << ", |err| " << std::abs(got - want) << ", bound " << bound;
      detail_ = os.str();
    }
  }
  bool ok() const { return violations_ == 0; }
  double worst() const { return worst_; }
  std::string report() const {
    std::ostringstream os;
    os << what_ << ": " << violations_ << " of " << count_
       << " elements outside the bound (worst err/bound " << worst_ << " at " << detail_ << ")";
    return os.str();
  }

 private:
  std::string what_, detail_;
  std::int64_t count_ = 0, violations_ = 0;
  double worst_ = 0.0;
};

// The outcome of one case: its problems (empty = passed) and how close it came to its bounds.
struct Outcome {
  std::vector<std::string> problems;
  double worst_ratio = 0.0;  // max err/bound over every comparison
};

void finish(Outcome& o, const Comparison& c) {
  o.worst_ratio = std::max(o.worst_ratio, c.worst());
  if (!c.ok()) o.problems.push_back(c.report());
  if (std::getenv("MHA_ONNX_VERBOSE")) std::printf("    %s\n", c.report().c_str());
}

// Y: the three comparisons of every element (see the file comment).
void check_y(const Magnitudes& g, const ErrorModel& ref, const ErrorModel& fast,
             const TensorView& expected, const TensorView& got, const TensorView& exact,
             Outcome& o) {
  const TensorView e4 = heads_view(expected, g.Hq), m4 = heads_view(got, g.Hq),
                   x4 = heads_view(exact, g.Hq);
  Comparison vs_expected("Y: mha vs expected"), ref_vs_exact("Y: expected vs exact"),
      mha_vs_exact("Y: mha vs exact");
  for (std::int64_t b = 0; b < g.B; ++b)
    for (std::int64_t h = 0; h < g.Hq; ++h)
      for (std::int64_t i = 0; i < g.Sq; ++i) {
        const double s = g.row_s.view().get({b, h, i}), bias = g.row_b.view().get({b, h, i});
        const double v = g.row_v.view().get({b, h, i});
        const double e_ref = y_bound(ref, g.T, score_bound(ref, g.D, s, bias), v);
        const double e_mha = y_bound(fast, g.T, score_bound(fast, g.D, s, bias), v);
        for (std::int64_t d = 0; d < g.Dv; ++d) {
          const std::int64_t at[4] = {b, h, i, d};
          const double want = e4.get({b, h, i, d}), mine = m4.get({b, h, i, d}),
                       x = x4.get({b, h, i, d});
          vs_expected.add(mine, want, e_ref + e_mha, at);
          ref_vs_exact.add(want, x, e_ref, at);
          mha_vs_exact.add(mine, x, e_mha, at);
        }
      }
  for (const Comparison* c : {&vs_expected, &ref_vs_exact, &mha_vs_exact}) finish(o, *c);
}

// qk_matmul_output in the case's mode: scores (modes 0-2, one rounding more for the store) or
// probabilities (mode 3).
void check_qk(const Magnitudes& g, QkOutput mode, const ErrorModel& ref, const ErrorModel& fast,
              const TensorView& expected, const TensorView& got, const TensorView& exact,
              Outcome& o) {
  Comparison vs_expected("qk_matmul_output: mha vs expected"),
      ref_vs_exact("qk_matmul_output: expected vs exact"),
      mha_vs_exact("qk_matmul_output: mha vs exact");
  const double* s_abs = g.s_abs.data_as<double>();
  const double* bias = g.bias.data_as<double>();
  for (std::int64_t b = 0; b < g.B; ++b)
    for (std::int64_t h = 0; h < g.Hq; ++h)
      for (std::int64_t i = 0; i < g.Sq; ++i) {
        const double rs = g.row_s.view().get({b, h, i}), rb = g.row_b.view().get({b, h, i});
        const double ds_ref = score_bound(ref, g.D, rs, rb),
                     ds_mha = score_bound(fast, g.D, rs, rb);
        for (std::int64_t j = 0; j < g.T; ++j) {
          const std::int64_t e = ((b * g.Hq + h) * g.Sq + i) * g.T + j;
          const std::int64_t at[4] = {b, h, i, j};
          const double want = expected.get({b, h, i, j}), mine = got.get({b, h, i, j}),
                       x = exact.get({b, h, i, j});
          double e_ref = 0.0, e_mha = 0.0;
          if (mode == QkOutput::probabilities) {
            e_ref = prob_bound(ref, g.T, ds_ref, x) + ref.u_out * x;
            e_mha = prob_bound(fast, g.T, ds_mha, x) + fast.u_out * x;
          } else {
            // Raw and soft-capped scores carry no mask; the biased ones carry it (a removed key
            // is -inf on every side, which ratio() requires exactly).
            const double bb =
                mode == QkOutput::biased && std::isfinite(bias[e]) ? std::abs(bias[e]) : 0.0;
            e_ref = score_bound(ref, g.D, s_abs[e], bb) + ref.u_out * (s_abs[e] + bb);
            e_mha = score_bound(fast, g.D, s_abs[e], bb) + fast.u_out * (s_abs[e] + bb);
          }
          vs_expected.add(mine, want, e_ref + e_mha, at);
          ref_vs_exact.add(want, x, e_ref, at);
          mha_vs_exact.add(mine, x, e_mha, at);
        }
      }
  for (const Comparison* c : {&vs_expected, &ref_vs_exact, &mha_vs_exact}) finish(o, *c);
}

// present_key/present_value are concat(past, new): copies, so equal element for element.
void check_copy(const char* name, const TensorView& expected, const TensorView& got,
                const TensorView& exact, Outcome& o) {
  Comparison vs_expected(std::string(name) + ": mha vs expected"),
      vs_exact(std::string(name) + ": exact vs expected");
  for (std::int64_t b = 0; b < expected.size(0); ++b)
    for (std::int64_t h = 0; h < expected.size(1); ++h)
      for (std::int64_t t = 0; t < expected.size(2); ++t)
        for (std::int64_t d = 0; d < expected.size(3); ++d) {
          const std::int64_t at[4] = {b, h, t, d};
          const double want = expected.get({b, h, t, d});
          vs_expected.add(got.get({b, h, t, d}), want, 0.0, at);
          vs_exact.add(exact.get({b, h, t, d}), want, 0.0, at);
        }
  finish(o, vs_expected);
  finish(o, vs_exact);
}

Outcome run_case(const OnnxCase& c) {
  Outcome o;
  try {
    const AttentionOptions opt = options_of(c);
    const LoadedCase data(c);
    const AttentionInputs in = data.inputs();

    const AttentionResult exact = reference::attention(in, opt);  // f64, every output
    const Magnitudes g = magnitudes(in, opt, exact.present_key, exact.present_value);
    const DType t = data.input(kQ).dtype();  // the dtype the onnx reference computed in
    const bool softcap = opt.softcap > 0.0f;
    const ErrorModel ref = reference_model(t, softcap), fast = mha_model(t, softcap);

    // Every kernel target this machine supports must pass; a problem names its target.
    for (detail::Isa isa : mha::testing::test_isas()) {
      detail::force_isa(isa);
      const std::size_t before = o.problems.size();
      // The outputs the case expects, in their dtypes; the others stay absent (not requested).
      Tensor y, pk, pv, qk;
      Tensor* outs[kNumOutputSlots] = {&y, &pk, &pv, &qk};
      for (int s = 0; s < kNumOutputSlots; ++s)
        if (data.expected(OutputSlot(s)).defined())
          *outs[s] =
              Tensor(data.expected(OutputSlot(s)).dtype(), data.expected(OutputSlot(s)).shape());
      if (!y.defined()) throw std::runtime_error("the case expects no Y");
      attention(in, opt, AttentionOutputs{y, pk, pv, qk});

      check_y(g, ref, fast, data.expected(kY), y, exact.y, o);
      if (pk.defined())
        check_copy("present_key", data.expected(kPresentKey), pk, exact.present_key, o);
      if (pv.defined())
        check_copy("present_value", data.expected(kPresentValue), pv, exact.present_value, o);
      if (qk.defined()) {
        check_qk(g, opt.qk_output_mode, ref, fast, data.expected(kQkMatmulOutput), qk,
                 exact.qk_output, o);
        if (c.qk_mode0_softcapped && o.problems.size() > before)
          o.problems.push_back(
              "note: qk_matmul_output mode 0 with a softcap: the onnx reference returns "
              "soft-capped scores, the operator text and mha raw ones");
      }
      for (std::size_t i = before; i < o.problems.size(); ++i)
        o.problems[i] = std::string("[") + detail::isa_name(isa) + "] " + o.problems[i];
    }
    detail::reset_isa();
  } catch (const Error& e) {
    o.problems.push_back(std::string("mha::Error: ") + e.what());
  } catch (const std::exception& e) {
    o.problems.push_back(std::string("error: ") + e.what());
  }
  return o;
}

class Conformance : public ::testing::TestWithParam<OnnxCase> {};

TEST_P(Conformance, Case) {
  const OnnxCase& c = GetParam();
  const Outcome o = run_case(c);
  RecordProperty("worst_err_over_bound", std::to_string(o.worst_ratio));
  for (const std::string& p : o.problems)
    ADD_FAILURE() << c.name << " (opset " << c.opset << ", " << c.kind << ", attributes "
                  << c.attributes.dump() << "): " << p;
}

INSTANTIATE_TEST_SUITE_P(Onnx, Conformance, ::testing::ValuesIn(suite().index.cases),
                         [](const ::testing::TestParamInfo<OnnxCase>& param) {
                           return param.param.name;
                         });

// The index is the suite's table of contents: a missing or short one must fail, not shrink it.
TEST(OnnxConformance, IndexIsComplete) {
  ASSERT_TRUE(suite().error.empty()) << suite().error;
  const OnnxIndex& idx = suite().index;
  EXPECT_EQ(idx.onnx_version, "1.23.2");
  EXPECT_EQ(idx.operator_cases, kExpectedOperatorCases);
  EXPECT_EQ(idx.expanded_cases, kExpectedExpandedCases);
  int op = 0, expanded = 0;
  for (const OnnxCase& c : idx.cases) (c.kind == "expanded" ? expanded : op)++;
  EXPECT_EQ(op, kExpectedOperatorCases);
  EXPECT_EQ(expanded, kExpectedExpandedCases);
}

// Runs every case in one process and prints the line the suite is judged by.
TEST(OnnxConformance, Summary) {
  int passed = 0, failed = 0;
  double worst = 0.0;
  std::string worst_case;
  std::vector<std::string> failures, not_run;
  if (!suite().error.empty()) not_run.push_back("all cases: " + suite().error);
  for (const OnnxCase& c : suite().index.cases) {
    const Outcome o = run_case(c);
    if (o.problems.empty()) {
      ++passed;
    } else {
      ++failed;
      failures.push_back(c.name + ": " + o.problems.front());
    }
    if (o.worst_ratio > worst) {
      worst = o.worst_ratio;
      worst_case = c.name;
    }
  }
  std::printf("ONNX conformance: %d passed, %d failed\n", passed, failed);
  for (const std::string& f : failures) std::printf("  failed: %s\n", f.c_str());
  std::printf("  not run: %s\n", not_run.empty() ? "none" : "");
  for (const std::string& n : not_run) std::printf("    %s\n", n.c_str());
  std::printf("  closest to a bound: %s (err/bound %.3g)\n", worst_case.c_str(), worst);
  EXPECT_EQ(failed, 0);
  EXPECT_TRUE(not_run.empty());
  EXPECT_EQ(passed, kExpectedOperatorCases + kExpectedExpandedCases);
}

}  // namespace
}  // namespace mha::onnx_conformance
