"""Tolerances for comparing attention results, derived from the dtype's unit roundoff and the
reduction lengths (STYLE.md: no magic tolerances).

Notation: u the unit roundoff of the result's dtype (2^-24 float32, 2^-11 float16, 2^-8
bfloat16, 2^-53 float64), u32 = 2^-24, D the head size, S the number of keys, M the bound on
any score's magnitude (reference.score_bound: scale · max Σ_d |q_d||k_d|, plus the largest
finite additive mask value), V = max |v|.

An implementation that loads the inputs exactly and computes in float32 (mha) differs from the
exact result (the float64 reference on the same inputs) by at most, to first order:
  scores      γ_D = D·u32 relative to Σ|q||k|, i.e. D·u32·M absolute
  softmax     a perturbation δ of every score moves each probability by at most 2·δ relative
              (∂p_j/p_j = δ_j − Σ_k p_k δ_k), and exp/normalisation add a few u32
  P·V         Σ_j p_j v_j with relative errors ε_j is off by at most max|ε|·V (Σ p_j = 1);
              the fp32 accumulation adds S·u32·V
  store       rounding y to the dtype: u·V (|y| ≤ V)
  => E_fp32 = V·(u + u32·(2·D·M + S + 8))

torch's reduced-precision CPU kernels may also round the scores and the probabilities to the
dtype before P·V: a score moves by u·M, a probability by u, so
  => E_torch = E_fp32 + V·u·(2·M + 1)

Two implementations differ by at most the sum of their bounds. These are first-order bounds;
the factor 2 in `slack` covers the second-order terms (O(u²·M²), exp's own rounding), which
matter only for bfloat16 with large scores. A wrong kernel is off by O(V) (a missed key, a
wrong index), far above all of these for the sizes tested (M ≲ 10, u·M ≲ 0.05).
"""

from __future__ import annotations

UNIT_ROUNDOFF = {
    "float64": 2.0**-53,
    "float32": 2.0**-24,
    "float16": 2.0**-11,
    "bfloat16": 2.0**-8,
}
U32 = 2.0**-24
SLACK = 2.0


def fp32_path(dtype: str, M: float, D: int, S: int, V: float) -> float:
    """E_fp32: mha (inputs loaded exactly, fp32 compute, one rounding at the store)."""
    u = UNIT_ROUNDOFF[dtype]
    return SLACK * V * (u + U32 * (2 * D * M + S + 8))


def torch_path(dtype: str, M: float, D: int, S: int, V: float) -> float:
    """E_torch: a kernel that may round scores and probabilities to the dtype on the way."""
    u = UNIT_ROUNDOFF[dtype]
    return fp32_path(dtype, M, D, S, V) + SLACK * V * u * (2 * M + 1)


def between(dtype: str, M: float, D: int, S: int, V: float) -> float:
    """mha against torch: both bounds, as the difference of two results near the exact one."""
    return fp32_path(dtype, M, D, S, V) + torch_path(dtype, M, D, S, V)


def module(E: int, D: int, S: int, y_max: float, dtype: str = "float32") -> float:
    """MultiheadAttention's output, float32 parameters: the in-projections reduce over E, the
    scores over D, P·V over S, the out-projection over E (the concatenated heads); each reduction
    of length n costs n·u32 relative to the magnitudes it sums, which are O(1) for the inputs of
    the tests (unit-scale inputs, xavier/torch-initialised weights). Then one rounding to the
    dtype. 8 covers the exp and the value magnitudes (as `mha explain`'s check, which measured
    real errors 400× below it)."""
    u = UNIT_ROUNDOFF[dtype]
    return 8.0 * U32 * (2 * E + D + S) * max(1.0, y_max) + 2.0 * u * max(1.0, y_max)
