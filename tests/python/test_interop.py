"""NumPy and torch in and out, without copies; dtypes; strided inputs; error messages."""

from __future__ import annotations

import numpy as np
import pytest

import mha
import reference
from conftest import requires_torch


def qkv(shape=(2, 3, 5, 8), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(shape).astype(dtype) for _ in range(3))


def test_inputs_are_read_in_place():
    """mha's view of an input starts at the array's own address: no copy on the way in."""
    q, _, _ = qkv()
    assert mha._core._data_pointer(q) == q.ctypes.data
    strided = np.asfortranarray(q)  # non-contiguous but non-negative strides: still no copy
    assert mha._core._data_pointer(strided) == strided.ctypes.data
    sliced = q[:, :, ::2]
    assert mha._core._data_pointer(sliced) == sliced.ctypes.data


def test_output_written_into_caller_buffer():
    """out=: mha writes the result straight into the caller's array and returns that array."""
    q, k, v = qkv()
    out = np.full((2, 3, 5, 8), np.nan, np.float32)
    y = mha.scaled_dot_product_attention(q, k, v, out=out)
    assert y is out
    np.testing.assert_allclose(out, reference.sdpa(q, k, v), atol=1e-5)


def test_module_result_owns_mha_memory():
    """MultiheadAttention's output is the C++ result itself (a NumPy array over mha's buffer):
    writable, and not a copy of another array."""
    m = mha.MultiheadAttention(8, 2)
    x = np.ones((3, 2, 8), np.float32)
    y, _ = m(x, x, x)
    assert y.flags.writeable and y.flags.c_contiguous and not isinstance(y.base, np.ndarray)


def test_non_contiguous_and_negative_strides():
    q, k, v = qkv((2, 3, 6, 8))
    ref = reference.sdpa(q, k, v)
    qt = np.ascontiguousarray(q.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)  # strided view
    np.testing.assert_allclose(mha.scaled_dot_product_attention(qt, k, v), ref, atol=1e-5)
    rev = np.ascontiguousarray(k[:, :, ::-1])[:, :, ::-1]  # negative strides: copied first
    np.testing.assert_allclose(mha.scaled_dot_product_attention(q, rev, v), ref, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64])
def test_numpy_dtypes_come_back(dtype):
    q, k, v = qkv(dtype=dtype)
    y = mha.scaled_dot_product_attention(q, k, v)
    assert isinstance(y, np.ndarray) and y.dtype == dtype


@requires_torch
def test_torch_in_torch_out_without_copy():
    import torch

    q = torch.randn(2, 3, 5, 8)
    assert mha._core._data_pointer(q) == q.data_ptr()
    assert mha._core._data_pointer(q.transpose(1, 2)) == q.data_ptr()
    out = torch.empty(2, 3, 5, 8)
    y = mha.scaled_dot_product_attention(q, q, q, out=out)
    assert y is out
    for dt in (torch.float32, torch.float16, torch.bfloat16):
        y = mha.scaled_dot_product_attention(q.to(dt), q.to(dt), q.to(dt))
        assert isinstance(y, torch.Tensor) and y.dtype == dt
    grad = torch.randn(2, 3, 5, 8, requires_grad=True)
    assert mha.scaled_dot_product_attention(grad, grad, grad).shape == (2, 3, 5, 8)


@requires_torch
def test_device_error_names_argument():
    import torch

    meta = torch.empty(2, 3, 5, 8, device="meta")  # stands for a CUDA tensor (no GPU here)
    cpu = torch.randn(2, 3, 5, 8)
    with pytest.raises(TypeError, match=r"argument 'key': expected a CPU tensor, got a tensor on device 'meta'"):
        mha.scaled_dot_product_attention(cpu, meta, cpu)


def test_error_messages():
    q, k, v = qkv()
    with pytest.raises(TypeError, match=r"argument 'query': expected dtype float32 or float16 or bfloat16 or float64, got int32"):
        mha.scaled_dot_product_attention(q.astype(np.int32), k, v)
    with pytest.raises(TypeError, match=r"expected one dtype, got query float32, key float16"):
        mha.scaled_dot_product_attention(q, k.astype(np.float16), v)
    with pytest.raises(TypeError, match=r"argument 'attn_mask': expected dtype bool or float32"):
        mha.scaled_dot_product_attention(q, k, v, attn_mask=np.zeros((5, 5), np.int64))
    with pytest.raises(ValueError, match=r"argument 'key': expected last dimension 8 \(as query\), got shape \(2, 3, 5, 4\)"):
        mha.scaled_dot_product_attention(q, k[..., :4], v)
    with pytest.raises(ValueError, match=r"attn_mask.*broadcast"):
        mha.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((4, 5), bool))
    with pytest.raises(ValueError, match=r"expected None when is_causal=True"):
        mha.scaled_dot_product_attention(q, k, v, attn_mask=np.ones((5, 5), bool), is_causal=True)
    with pytest.raises(TypeError, match=r"expected a NumPy array or a torch CPU tensor, got builtins.str"):
        mha.scaled_dot_product_attention("q", k, v)


def test_library_errors_keep_their_message():
    """mha::Error from C++: ValueError (TypeError for a dtype) with the library's message."""
    q, k, v = qkv()
    with pytest.raises(ValueError, match=r"^mha::attention: argument 'key': expected a number of heads that divides the query heads \(3\), got 2 heads$"):
        mha.attention(q, k[:, :2], v[:, :2])
    with pytest.raises(ValueError, match=r"argument 'scale': expected a finite"):
        mha.attention(q, k, v, scale=float("inf"))
    with pytest.raises(ValueError, match=r"MultiHeadAttention"):
        mha.MultiheadAttention(10, 3)
    with pytest.raises(TypeError, match=r"argument 'nonpad_kv_seqlen': expected dtype int64"):
        mha.attention(q, k, v, nonpad_kv_seqlen=np.array([1, 2], np.int32))
    with pytest.raises(ValueError, match=r"n.*1"):
        mha.set_num_threads(0)


def test_onnx_attention_outputs():
    rng = np.random.default_rng(4)
    B, Hq, Hkv, Sq, P, S, D = 2, 4, 2, 3, 4, 5, 8
    q = rng.standard_normal((B, Hq, Sq, D)).astype(np.float32)
    k = rng.standard_normal((B, Hkv, S, D)).astype(np.float32)
    v = rng.standard_normal((B, Hkv, S, D)).astype(np.float32)
    pk = rng.standard_normal((B, Hkv, P, D)).astype(np.float32)
    pv = rng.standard_normal((B, Hkv, P, D)).astype(np.float32)
    r = mha.attention(q, k, v, past_key=pk, past_value=pv, is_causal=True, return_present=True,
                      return_qk_matmul_output=True, qk_matmul_output_mode=3)
    K, V = np.concatenate([pk, k], 2), np.concatenate([pv, v], 2)
    np.testing.assert_array_equal(r.present_key, K)
    np.testing.assert_array_equal(r.present_value, V)
    # with a cache, causal is bottom-right: query i sees keys j <= i + P
    keep = np.arange(P + S)[None, :] <= np.arange(Sq)[:, None] + P
    ref = reference.sdpa(q, K, V, mask=keep, enable_gqa=True)
    np.testing.assert_allclose(r.Y, ref, atol=1e-5)
    assert r.qk_matmul_output.shape == (B, Hq, Sq, P + S)
    np.testing.assert_allclose(r.qk_matmul_output.sum(-1), 1.0, atol=1e-5)
    y3 = mha.attention(q.transpose(0, 2, 1, 3).reshape(B, Sq, Hq * D), k.transpose(0, 2, 1, 3).reshape(B, S, Hkv * D),
                       v.transpose(0, 2, 1, 3).reshape(B, S, Hkv * D), q_num_heads=Hq, kv_num_heads=Hkv)
    assert y3.Y.shape == (B, Sq, Hq * D) and y3.present_key is None and y3.qk_matmul_output is None
