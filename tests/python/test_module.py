"""mha.MultiheadAttention against torch.nn.MultiheadAttention: from_torch parity (live when torch
is importable, and on tests/python/golden/module.npz written by torch), need_weights and
average_attn_weights, GQA, training mode. Tolerances: tolerances.module."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mha
import tolerances
from cases import as_float64
from conftest import GOLDEN, record_vs_torch, requires_torch


def check(got, expected, E, D, S, kind, case):
    got, expected = as_float64(got), as_float64(expected)
    assert got.shape == expected.shape, case
    tol = tolerances.module(E, D, S, float(np.max(np.abs(expected), initial=0.0)))
    err = float(np.max(np.abs(got - expected), initial=0.0))
    record_vs_torch(kind, "float32", err, tol, case)
    assert err <= tol, f"{case}: max |mha - torch| = {err:.3e} > {tol:.3e}"


def golden_cases():
    path = GOLDEN / "module.npz"
    data = np.load(path, allow_pickle=False)
    out = []
    for i in range(int(data["count"])):
        p = f"case{i}/"
        out.append(pytest.param({k[len(p):]: data[k] for k in data.files if k.startswith(p)}, id=str(i)))
    return out


@pytest.mark.parametrize("c", golden_cases())
def test_golden_module_matches_torch(c):
    m = mha.MultiheadAttention(
        int(c["embed_dim"]), int(c["num_heads"]), bias=bool(c["bias"]),
        add_bias_kv=bool(c["add_bias_kv"]), add_zero_attn=bool(c["add_zero_attn"]),
        kdim=int(c["kdim"]) or None, vdim=int(c["vdim"]) or None, batch_first=bool(c["batch_first"])).eval()
    m.load_state_dict({k[len("param/"):]: v.astype(np.float32) for k, v in c.items() if k.startswith("param/")})
    f32 = lambda name: None if name not in c else (c[name] if c[name].dtype == bool else c[name].astype(np.float32))
    q, k, v = f32("query"), f32("key"), f32("value")
    E, H = int(c["embed_dim"]), int(c["num_heads"])
    S = k.shape[-2] if q.ndim == 2 else (k.shape[1] if c["batch_first"] else k.shape[0])
    for tag, need, avg in (("11", True, True), ("10", True, False), ("01", False, True)):
        y, w = m(q, k, v, key_padding_mask=f32("key_padding_mask"), need_weights=need,
                 attn_mask=f32("attn_mask"), average_attn_weights=avg, is_causal=bool(c["is_causal"]))
        case = f"golden module case E={E} H={H} need_weights={need} average={avg}"
        check(y, c["out" + tag], E, E // H, S, "module golden", case)
        if need:
            check(w, c["weights" + tag], E, E // H, S, "module golden weights", case)
        else:
            assert w is None


@requires_torch
@given(st.data())
def test_from_torch_matches_torch(data):
    import torch

    H = data.draw(st.integers(1, 4))
    E = H * data.draw(st.sampled_from([1, 2, 4, 8]))
    kdim = data.draw(st.sampled_from([None, 3, E]))
    vdim = data.draw(st.sampled_from([None, 5, E]))
    bias, bkv, zero, bf = (data.draw(st.booleans()) for _ in range(4))
    L, S = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 7))
    batched = data.draw(st.booleans())
    N = data.draw(st.integers(1, 3))
    torch.manual_seed(data.draw(st.integers(0, 1000)))
    ref = torch.nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=bkv, add_zero_attn=zero,
                                      kdim=kdim, vdim=vdim, batch_first=bf).eval()
    if bias:
        with torch.no_grad():
            ref.in_proj_bias.normal_()
    m = mha.MultiheadAttention.from_torch(ref)
    assert not m.training and m.num_kv_heads == H

    def seq(n, d):
        return torch.randn(((N, n, d) if bf else (n, N, d)) if batched else (n, d))

    q, k, v = seq(L, E), seq(S, kdim or E), seq(S, vdim or E)
    masks = {}
    kind = data.draw(st.sampled_from(["none", "kpm-bool", "kpm-float", "attn-bool", "attn-float", "attn-3d", "causal"]))
    if kind == "kpm-bool":
        kp = torch.rand((N, S) if batched else (S,)) < 0.3
        kp[..., 0] = False  # a key per row: torch gives NaN for a fully masked row
        masks["key_padding_mask"] = kp
    elif kind == "kpm-float":
        masks["key_padding_mask"] = torch.randn((N, S) if batched else (S,))
    elif kind == "attn-bool":
        am = torch.rand(L, S) < 0.3
        am[:, 0] = False
        masks["attn_mask"] = am
    elif kind == "attn-float":
        masks["attn_mask"] = torch.randn(L, S)
    elif kind == "attn-3d":
        masks["attn_mask"] = torch.randn((N if batched else 1) * H, L, S)
    causal = False
    if kind == "causal" and L == S:
        masks["attn_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L)
        causal = not (bkv or zero)  # torch's own two paths disagree there (see module.hpp)
    need = data.draw(st.booleans())
    avg = data.draw(st.booleans())
    with torch.no_grad():
        y_ref, w_ref = ref(q, k, v, need_weights=need, average_attn_weights=avg, is_causal=causal, **masks)
    y, w = m(q, k, v, need_weights=need, average_attn_weights=avg, is_causal=causal, **masks)
    assert isinstance(y, torch.Tensor)
    case = f"E={E} H={H} kdim={kdim} vdim={vdim} bias={bias} add_bias_kv={bkv} add_zero_attn={zero} batch_first={bf} L={L} S={S} batched={batched} {kind} need_weights={need} average={avg}"
    S_all = S + int(bkv) + int(zero)
    check(y, y_ref, E, E // H, S_all, "module live", case)
    if need:
        check(w, w_ref, E, E // H, S_all, "module live weights", case)
    else:
        assert w is None and w_ref is None


def test_state_dict_round_trip_and_torch_names():
    m = mha.MultiheadAttention(8, 2, kdim=3, vdim=5)
    sd = m.state_dict()
    assert set(sd) == {"q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}
    assert sd["k_proj_weight"].shape == (8, 3) and m.in_proj_weight is None
    other = mha.MultiheadAttention(8, 2, kdim=3, vdim=5, seed=7)
    other.load_state_dict(sd)
    x = np.random.default_rng(0).standard_normal((4, 2, 8)).astype(np.float32)
    kx = np.random.default_rng(1).standard_normal((6, 2, 3)).astype(np.float32)
    vx = np.random.default_rng(2).standard_normal((6, 2, 5)).astype(np.float32)
    np.testing.assert_array_equal(m(x, kx, vx)[0], other(x, kx, vx)[0])


def test_gqa_module_equals_repeated_heads():
    """num_kv_heads: a module with grouped key/value heads equals a plain one whose k/v weights
    repeat each group's head."""
    E, H, Hkv = 16, 4, 2
    D = E // H
    g = mha.MultiheadAttention(E, H, num_kv_heads=Hkv, batch_first=True).eval()
    sd = g.state_dict()
    wk = sd["k_proj_weight"].reshape(Hkv, D, E).repeat(H // Hkv, axis=0).reshape(E, E)
    wv = sd["v_proj_weight"].reshape(Hkv, D, E).repeat(H // Hkv, axis=0).reshape(E, E)
    b = sd["in_proj_bias"]
    bq, bk, bv = b[:E], b[E:E + Hkv * D], b[E + Hkv * D:]
    full = mha.MultiheadAttention(E, H, batch_first=True).eval()
    full.load_state_dict({
        "in_proj_weight": np.concatenate([sd["q_proj_weight"], wk, wv]),
        "in_proj_bias": np.concatenate([bq, np.repeat(bk.reshape(Hkv, D), H // Hkv, 0).ravel(),
                                        np.repeat(bv.reshape(Hkv, D), H // Hkv, 0).ravel()]),
        "out_proj.weight": sd["out_proj.weight"], "out_proj.bias": sd["out_proj.bias"]})
    x = np.random.default_rng(3).standard_normal((2, 5, E)).astype(np.float32)
    y1, w1 = g(x, x, x, average_attn_weights=False)
    y2, w2 = full(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(y1, y2, atol=tolerances.module(E, D, 5, 1.0))
    np.testing.assert_allclose(w1, w2, atol=tolerances.module(E, D, 5, 1.0))
    assert g.num_kv_heads == Hkv and "num_kv_heads=2" in repr(g)


def test_forward_packed_equals_each_sequence_alone():
    """forward_packed on sequences packed back to back gives, row for row, what forward gives
    each sequence alone (exactly: the same GEMM rows and the same kernel call per sequence), and
    torch's module on each sequence within the module tolerance; bad lengths raise ValueError."""
    E, H = 16, 4
    m = mha.MultiheadAttention(E, H, batch_first=True, seed=5).eval()
    lengths = [3, 0, 11, 1, 7]
    x = np.random.default_rng(4).standard_normal((sum(lengths), E)).astype(np.float32)
    for causal in (False, True):
        y = m.forward_packed(x, lengths, is_causal=causal)
        assert y.shape == x.shape and y.dtype == np.float32
        r = 0
        for n in lengths:
            if n:
                alone, _ = m(x[None, r:r + n], x[None, r:r + n], x[None, r:r + n], need_weights=False,
                             is_causal=causal)
                np.testing.assert_array_equal(y[r:r + n], alone[0])
            r += n
    y64 = m.forward_packed(x.astype(np.float64), np.array(lengths))
    assert y64.dtype == np.float64
    with pytest.raises(ValueError, match="lengths"):
        m.forward_packed(x, [3, 3])


@requires_torch
def test_forward_packed_matches_torch_per_sequence():
    import torch
    E, H = 32, 4
    t = torch.nn.MultiheadAttention(E, H, batch_first=True).eval()
    m = mha.MultiheadAttention.from_torch(t)
    lengths = [5, 17, 2]
    x = torch.randn(sum(lengths), E, generator=torch.Generator().manual_seed(6))
    y = m.forward_packed(x, lengths)
    assert isinstance(y, torch.Tensor) and y.shape == x.shape
    r = 0
    with torch.inference_mode():
        for n in lengths:
            xs = x[None, r:r + n]
            expected, _ = t(xs, xs, xs, need_weights=False)
            check(y[r:r + n], expected[0], E, E // H, n, "module packed", f"forward_packed length {n}")
            r += n


def test_training_mode_like_torch():
    m = mha.MultiheadAttention(8, 2, dropout=0.5)
    assert m.training  # torch modules start in training mode
    x = np.ones((3, 1, 8), np.float32)
    assert m.eval() is m and not m.training
    a = m(x, x, x)[0]
    np.testing.assert_array_equal(a, m(x, x, x)[0])


def test_bfloat16_parameters_are_the_float32_module_on_rounded_weights():
    """dtype=bfloat16 keeps the parameters rounded to bfloat16 and computes exactly what the
    float32 module computes on those rounded values."""
    m32 = mha.MultiheadAttention(16, 4, batch_first=True, add_bias_kv=True, seed=3).eval()
    m16 = mha.MultiheadAttention(16, 4, batch_first=True, add_bias_kv=True, dtype="bfloat16").eval()
    assert m16.dtype == "bfloat16" and m32.dtype == "float32"
    m16.load_state_dict(m32.state_dict())
    sd16 = m16.state_dict()
    for name, a in sd16.items():
        assert a.dtype == np.float32
        assert not np.any(a.view(np.uint32) & 0xFFFF), f"{name} is not rounded to bfloat16"
    m32.load_state_dict(sd16)
    x = np.random.default_rng(4).standard_normal((2, 7, 16)).astype(np.float32)
    y16, w16 = m16(x, x, x)
    y32, w32 = m32(x, x, x)
    np.testing.assert_array_equal(y16, y32)
    np.testing.assert_array_equal(w16, w32)
    with pytest.raises(TypeError, match="dtype"):
        mha.MultiheadAttention(8, 2, dtype="float16")


@requires_torch
def test_from_torch_keeps_bfloat16_parameters():
    import torch

    torch.manual_seed(5)
    ref = torch.nn.MultiheadAttention(16, 4, batch_first=True).to(torch.bfloat16).eval()
    m = mha.MultiheadAttention.from_torch(ref)
    assert m.dtype == "bfloat16"
    ref32 = torch.nn.MultiheadAttention(16, 4, batch_first=True).eval()
    ref32.load_state_dict({k: t.float() for k, t in ref.state_dict().items()})
    x = torch.randn(2, 9, 16)
    with torch.no_grad():
        y_ref, _ = ref32(x, x, x)
    y, _ = m(x, x, x)
    check(y, y_ref, 16, 4, 9, "module live", "bfloat16 parameters from torch")
