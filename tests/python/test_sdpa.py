"""mha.scaled_dot_product_attention against its two peers: a float64 NumPy reference (always)
and torch (live when torch is importable; tests/python/golden/sdpa.npz holds torch's numbers for
CI without torch). Tolerances: tolerances.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import mha
import reference
import tolerances
from cases import SdpaCase, as_float64, dead_rows, sdpa_cases, to_numpy, to_torch
from conftest import GOLDEN, HAVE_TORCH, record_vs_torch, requires_torch


def run_mha(case: SdpaCase, convert) -> np.ndarray:
    mask = None if case.mask is None else convert(case, case.mask)
    y = mha.scaled_dot_product_attention(
        convert(case, case.q), convert(case, case.k), convert(case, case.v), attn_mask=mask,
        is_causal=case.is_causal, scale=case.scale, enable_gqa=case.enable_gqa)
    return y


def bound_inputs(case: SdpaCase):
    M = reference.score_bound(case.q, case.k, case.scale)
    if case.mask is not None and case.mask.dtype != bool:
        finite = case.mask[np.isfinite(case.mask)]
        M += float(np.max(np.abs(finite), initial=0.0))
    V = float(np.max(np.abs(case.v), initial=0.0))
    return M, case.q.shape[-1], case.k.shape[-2], V


def check_against_reference(case: SdpaCase, y) -> None:
    ref = reference.sdpa(case.q, case.k, case.v, case.mask, case.is_causal, case.scale, case.enable_gqa)
    got = as_float64(y)
    assert got.shape == ref.shape, case.describe()
    tol = tolerances.fp32_path(case.dtype, *bound_inputs(case))
    err = float(np.max(np.abs(got - ref), initial=0.0))
    assert err <= tol, f"{case.describe()}: max |mha - reference| = {err:.3e} > {tol:.3e}"


@given(sdpa_cases(("float32", "float16", "float64")))
def test_numpy_matches_float64_reference(case):
    y = run_mha(case, to_numpy)
    assert isinstance(y, np.ndarray) and y.dtype == np.dtype(case.dtype)
    check_against_reference(case, y)


@requires_torch
@given(sdpa_cases(("float32", "float16", "bfloat16")))
def test_torch_matches_torch(case):
    import torch
    import torch.nn.functional as F

    y = run_mha(case, to_torch)
    assert isinstance(y, torch.Tensor) and y.dtype == getattr(torch, case.dtype)
    check_against_reference(case, y)
    mask = None if case.mask is None else to_torch(case, case.mask)
    expected = F.scaled_dot_product_attention(
        to_torch(case, case.q), to_torch(case, case.k), to_torch(case, case.v), attn_mask=mask,
        is_causal=case.is_causal, scale=case.scale, enable_gqa=case.enable_gqa)
    assert tuple(y.shape) == tuple(expected.shape)
    compare_with_torch(case, as_float64(y), as_float64(expected), "sdpa live")


def compare_with_torch(case: SdpaCase, got: np.ndarray, expected: np.ndarray, kind: str) -> None:
    # Fully masked rows: mha gives 0, torch NaN or 0 depending on the backend; compared elsewhere.
    dead = np.broadcast_to(np.broadcast_to(dead_rows(case), got.shape[:-1])[..., None], got.shape)
    live = ~dead
    assert np.all(np.isfinite(expected[live])), f"torch gave NaN on a live row: {case.describe()}"
    assert np.all(got[dead] == 0.0)
    tol = tolerances.between(case.dtype, *bound_inputs(case))
    err = float(np.max(np.abs(got[live] - expected[live]), initial=0.0))
    record_vs_torch(kind, case.dtype, err, tol, case.describe())
    assert err <= tol, f"{case.describe()}: max |mha - torch| = {err:.3e} > {tol:.3e}"


def golden_cases():
    path = GOLDEN / "sdpa.npz"
    if not path.exists():
        return []
    data = np.load(path, allow_pickle=False)
    cases = []
    for i in range(int(data["count"])):
        p = f"case{i}/"
        meta = {k[len(p):]: data[k] for k in data.files if k.startswith(p)}
        scale = float(meta["scale"]) if "scale" in meta else None
        case = SdpaCase(str(meta["dtype"]), meta["q"], meta["k"], meta["v"], meta.get("mask"),
                        bool(meta["is_causal"]), scale, bool(meta["enable_gqa"]))
        cases.append(pytest.param(case, meta["torch_out"], id=f"{i}-{case.dtype}"))
    return cases


@pytest.mark.parametrize("case,torch_out", golden_cases())
def test_golden_torch_numbers(case, torch_out):
    """torch's results, written by scripts/gen_python_golden.py (stored as float64)."""
    if case.dtype == "bfloat16":
        if not HAVE_TORCH:
            pytest.skip("bfloat16 inputs need torch (NumPy has no bfloat16)")
        y = run_mha(case, to_torch)
    else:
        y = run_mha(case, to_numpy)
    compare_with_torch(case, as_float64(y), torch_out, "sdpa golden")


def test_golden_file_present():
    assert (GOLDEN / "sdpa.npz").exists(), "run scripts/gen_python_golden.py"


def test_causal_is_top_left_when_lengths_differ():
    rng = np.random.default_rng(1)
    q = rng.standard_normal((2, 5, 4)).astype(np.float32)
    k = rng.standard_normal((2, 3, 4)).astype(np.float32)
    v = rng.standard_normal((2, 3, 6)).astype(np.float32)
    y = mha.scaled_dot_product_attention(q, k, v, is_causal=True)
    # query 0 sees key 0 only (top-left); bottom-right alignment would hide every key from it
    np.testing.assert_allclose(y[:, 0], v[:, 0], rtol=0, atol=1e-6)
    np.testing.assert_allclose(y, reference.sdpa(q, k, v, is_causal=True), atol=1e-5)


def test_fully_masked_rows_are_zero():
    q = np.ones((1, 2, 3, 4), np.float32)
    mask = np.array([[True, False, True], [False, False, False], [True, True, True]])
    y = mha.scaled_dot_product_attention(q, q, q, attn_mask=mask)
    assert np.all(y[:, :, 1] == 0) and np.all(np.isfinite(y))


def test_dropout_drops_and_rescales():
    """dropout_p > 0: each probability is 0 or p/(1 - dropout_p); value = identity shows them."""
    rng = np.random.default_rng(2)
    S = 8
    q = rng.standard_normal((3, S, 4)).astype(np.float32)
    k = rng.standard_normal((3, S, 4)).astype(np.float32)
    eye = np.broadcast_to(np.eye(S, dtype=np.float32), (3, S, S))
    probs = mha.scaled_dot_product_attention(q, k, eye)
    dropped = mha.scaled_dot_product_attention(q, k, eye, dropout_p=0.25)
    zero = dropped == 0
    assert zero.any() and (~zero).any()
    np.testing.assert_allclose(dropped[~zero], probs[~zero] / 0.75, rtol=1e-5)
