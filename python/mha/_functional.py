"""mha.scaled_dot_product_attention (torch semantics) and mha.attention (ONNX semantics)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Optional, Tuple

import numpy as np

from . import _arrays as A
from . import _core

_SDPA = "scaled_dot_product_attention"
_MASK_KINDS = ("bool", "float32", "float16", "bfloat16", "float64")


def _broadcast(shapes: list, names: list, where: str) -> Tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        listed = ", ".join(f"{n} {tuple(s)}" for n, s in zip(names, shapes))
        raise ValueError(
            f"{where}: arguments {', '.join(repr(n) for n in names)}: expected batch "
            f"dimensions that broadcast together (NumPy rules), got {listed}"
        ) from None


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Optional[Any] = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: Optional[float] = None,
    enable_gqa: bool = False,
    *,
    out: Optional[Any] = None,
) -> Any:
    """softmax(query · keyᵀ · scale + mask) · value, as torch.nn.functional.scaled_dot_product_attention.

    Shapes (torch's names): query (..., Hq, L, E), key (..., H, S, E), value (..., H, S, Ev);
    the result is (..., Hq, L, Ev), in query's dtype and kind (NumPy in, NumPy out; torch in,
    torch out). Every input has rank >= 2; the batch dimensions (all but the last two) broadcast
    together and with attn_mask's (NumPy rules). With enable_gqa, Hq may be a multiple of H:
    query head h reads key/value head h // (Hq // H), as torch's repeat_interleave.

    attn_mask: broadcastable to (..., L, S); bool: True = the key takes part; float: added to the
    scores (-inf removes a key). is_causal: query i sees keys j <= i (top-left aligned, also when
    L != S); it may not be combined with attn_mask (as torch). scale: default 1/sqrt(E).
    dropout_p > 0 drops probabilities at random (NumPy's generator, not torch's) and scales the
    rest by 1/(1 - dropout_p); it runs a slower path that forms the probabilities.

    dtypes: float32, float16, bfloat16 (torch), float64; query, key and value share one. Inputs
    are read in place (no copy) whenever their strides are non-negative; broadcasting uses zero
    strides. Rows whose keys are all masked give 0, as torch's CPU kernel (its math backend gives NaN).
    The GIL is released while mha computes.

    out (mha's addition, keyword only): an array of the result's shape, dtype and kind to write
    into; it is returned.
    """
    where = _SDPA
    q = A.prepare(query, "query", where=where)
    k = A.prepare(key, "key", where=where)
    v = A.prepare(value, "value", where=where)
    m = A.optional(attn_mask, "attn_mask", _MASK_KINDS, where)
    dq, dk, dv = A.dtype_name(q), A.dtype_name(k), A.dtype_name(v)
    if not (dq == dk == dv):
        raise TypeError(
            f"{where}: arguments 'query', 'key', 'value': expected one dtype, got query {dq}, "
            f"key {dk}, value {dv}"
        )
    for x, name in ((q, "query"), (k, "key"), (v, "value")):
        if x.ndim < 2:
            raise ValueError(f"{where}: argument '{name}': expected rank >= 2 (..., L, E), got shape {tuple(x.shape)}")
    if m is not None and m.ndim < 1:
        raise ValueError(f"{where}: argument 'attn_mask': expected rank >= 1, got a scalar")
    if is_causal and m is not None:
        raise ValueError(f"{where}: argument 'attn_mask': expected None when is_causal=True (as torch), got a mask")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{where}: argument 'dropout_p': expected a probability in [0, 1), got {dropout_p}")
    L, E = q.shape[-2], q.shape[-1]
    S, Ev = k.shape[-2], v.shape[-1]
    if k.shape[-1] != E:
        raise ValueError(f"{where}: argument 'key': expected last dimension {E} (as query), got shape {tuple(k.shape)}")
    if v.shape[-2] != S:
        raise ValueError(f"{where}: argument 'value': expected sequence length {S} (as key), got shape {tuple(v.shape)}")

    # Batch dimensions: all but the last two, right-aligned, at least one (the heads), the
    # largest rank among the inputs deciding the result's.
    out_rank = max(q.ndim, k.ndim, v.ndim, m.ndim if m is not None else 0)
    nb = max(out_rank - 2, 1)

    def batch(x: Any) -> Tuple[int, ...]:
        dims = tuple(x.shape[:-2]) if x.ndim > 2 else ()
        return (1,) * (nb - len(dims)) + dims

    bq, bk, bv = batch(q), batch(k), batch(v)
    bm = batch(m) if m is not None else None
    hq, hk, hv = bq[-1], bk[-1], bv[-1]
    names = ["query", "key", "value"] + (["attn_mask"] if m is not None else [])
    # GQA (enable_gqa): key/value heads divide the query heads and are not broadcast.
    gqa = enable_gqa and hk == hv and hk > 1 and hq != hk
    if gqa:
        if hq % hk != 0:
            raise ValueError(
                f"{where}: argument 'key': expected a number of heads that divides the query's "
                f"{hq} (enable_gqa), got {hk} (shape {tuple(k.shape)})"
            )
        if bm is not None and bm[-1] not in (1, hq):
            raise ValueError(
                f"{where}: argument 'attn_mask': expected {hq} or 1 heads (dimension -3), got shape {tuple(m.shape)}"
            )
        outer = _broadcast([b[:-1] for b in (bq, bk, bv, bm) if b is not None], names, where)
        H, Hkv = hq, hk
    else:
        full = _broadcast([b for b in (bq, bk, bv, bm) if b is not None], names, where)
        outer, H = full[:-1], full[-1]
        Hkv = H  # key/value heads of size 1 are broadcast with zero strides
    B = int(np.prod(outer)) if outer else 1
    out_shape = (tuple(outer) + (H, L, Ev))[-out_rank:]

    def as4(x: Any, name: str, heads: int, rows: int, cols: int) -> Any:
        shape = tuple(outer) + (heads, rows, cols)
        try:
            x = A.broadcast_to(x, shape)
        except (ValueError, RuntimeError):
            raise ValueError(
                f"{where}: argument '{name}': expected a shape broadcastable to {shape}, got {tuple(x.shape)}"
            ) from None
        return A.reshape(x, (B, heads, rows, cols))

    q4 = as4(q, "query", H, L, E)
    k4 = as4(k, "key", Hkv, S, E)
    v4 = as4(v, "value", Hkv, S, Ev)
    m4, kind = None, "keep"
    if m is not None:
        m4 = as4(m, "attn_mask", H, L, S)
        kind = "keep" if A.dtype_name(m) == "bool" else "additive"

    opt = _core.AttentionOptions()
    opt.is_causal = bool(is_causal)
    if scale is not None:
        opt.scale = float(scale)
    if dropout_p > 0.0:
        return _sdpa_dropout(q4, k4, v4, m4, kind, opt, float(dropout_p), out_shape, q, out)

    y = _output(out, out_shape, q, where)
    _core.attention(q4, k4, v4, m4, kind, None, None, None, opt, A.reshape(y, (B, H, L, Ev)),
                    None, None, None)
    return y


def _output(out: Optional[Any], shape: Tuple[int, ...], like: Any, where: str) -> Any:
    if out is None:
        return A.empty(shape, like)
    if A.is_torch(out) != A.is_torch(like):
        raise TypeError(f"{where}: argument 'out': expected a {'torch tensor' if A.is_torch(like) else 'NumPy array'} like query, got {type(out).__name__}")
    if tuple(out.shape) != tuple(shape):
        raise ValueError(f"{where}: argument 'out': expected shape {tuple(shape)}, got {tuple(out.shape)}")
    if out.dtype != like.dtype:
        raise TypeError(f"{where}: argument 'out': expected dtype {A.dtype_name(like)} (as query), got {A.dtype_name(out)}")
    contiguous = out.is_contiguous() if A.is_torch(out) else out.flags.c_contiguous
    if not contiguous:
        raise ValueError(f"{where}: argument 'out': expected a contiguous array, got strides {tuple(out.stride() if A.is_torch(out) else out.strides)}")
    return out


def _sdpa_dropout(q4, k4, v4, m4, kind, opt, p, out_shape, like, out):
    """Dropout on the probabilities: mha forms them (qk_output_mode = probabilities), NumPy drops."""
    B, H, L, _ = q4.shape
    Hkv, S, Ev = k4.shape[1], k4.shape[2], v4.shape[3]
    opt.qk_output_mode = _core.QkOutput.probabilities
    y4 = A.empty((B, H, L, Ev), q4)
    probs = np.empty((B, H, L, S), np.float32)
    _core.attention(q4, k4, v4, m4, kind, None, None, None, opt, y4, None, None, probs)
    P = probs.astype(np.float64)
    keep = _rng.random(P.shape) >= p
    P = P * keep / (1.0 - p)
    V = np.repeat(A.to_numpy_float(v4).astype(np.float64), H // Hkv, axis=1)
    y = A.from_numpy((P @ V).reshape(out_shape), like)
    if out is None:
        return y
    out[...] = y
    return out


_rng = np.random.default_rng()


class AttentionResult(NamedTuple):
    """mha.attention's outputs, named as ONNX names them; None where not requested."""

    Y: Any
    present_key: Optional[Any]
    present_value: Optional[Any]
    qk_matmul_output: Optional[Any]


def attention(
    Q: Any,
    K: Any,
    V: Any,
    attn_mask: Optional[Any] = None,
    past_key: Optional[Any] = None,
    past_value: Optional[Any] = None,
    nonpad_kv_seqlen: Optional[Any] = None,
    *,
    is_causal: bool = False,
    q_num_heads: int = 0,
    kv_num_heads: int = 0,
    scale: Optional[float] = None,
    softcap: float = 0.0,
    qk_matmul_output_mode: int = 0,
    left_window: int = -1,
    right_window: int = -1,
    softmax_precision: Optional[int] = None,
    return_present: bool = False,
    return_qk_matmul_output: bool = False,
) -> AttentionResult:
    """The ONNX ``Attention`` operator (opset 25), as mha::attention computes it.

    Q [B, Hq, Sq, D] or [B, Sq, Hq·D] (3-D needs q_num_heads and kv_num_heads), K [B, Hkv, Skv, D]
    or [B, Skv, Hkv·D], V [B, Hkv, Skv, Dv] or [B, Skv, Hkv·Dv]; Hq a multiple of Hkv (GQA).
    attn_mask: broadcastable to [B, Hq, Sq, T] (T = P + Skv), its last dimension may be shorter
    than T (the missing keys are masked out); bool True = take part (ONNX), float = added.
    past_key [B, Hkv, P, D], past_value [B, Hkv, P, Dv]: the KV cache (is_causal then aligns
    bottom-right). nonpad_kv_seqlen [B] int64: keys at and after it are padding.
    softcap > 0: c·tanh(s/c) on the scores; left_window/right_window >= 0: a sliding window (-1 =
    open). softmax_precision is accepted for ONNX's sake: mha's softmax is always float32 or wider.

    Returns AttentionResult(Y, present_key, present_value, qk_matmul_output): Y [B, Hq, Sq, Dv]
    (or [B, Sq, Hq·Dv] for 3-D inputs) in Q's dtype; present_key/present_value [B, Hkv, T, ·]
    (with return_present); qk_matmul_output [B, Hq, Sq, T] in Q's dtype, what
    qk_matmul_output_mode says (0 raw scaled scores, 1 after softcap, 2 after the mask, 3 the
    probabilities), with return_qk_matmul_output. Arrays of the caller's kind, written in place
    by mha; inputs are read without a copy.
    """
    where = "attention"
    del softmax_precision
    q = A.prepare(Q, "Q", where=where)
    k = A.prepare(K, "K", where=where)
    v = A.prepare(V, "V", where=where)
    m = A.optional(attn_mask, "attn_mask", _MASK_KINDS, where)
    pk = A.optional(past_key, "past_key", where=where)
    pv = A.optional(past_value, "past_value", where=where)
    nonpad = A.optional(nonpad_kv_seqlen, "nonpad_kv_seqlen", ("int64",), where)
    kind = "keep" if m is not None and A.dtype_name(m) == "bool" else "additive"
    if qk_matmul_output_mode not in (0, 1, 2, 3):
        raise ValueError(f"{where}: argument 'qk_matmul_output_mode': expected 0, 1, 2 or 3, got {qk_matmul_output_mode}")
    opt = _core.AttentionOptions()
    opt.is_causal = bool(is_causal)
    opt.q_num_heads = int(q_num_heads)
    opt.kv_num_heads = int(kv_num_heads)
    if scale is not None:
        opt.scale = float(scale)
    opt.softcap = float(softcap)
    opt.left_window = int(left_window)
    opt.right_window = int(right_window)
    opt.qk_output_mode = _core.QkOutput(int(qk_matmul_output_mode))
    shapes = _core.attention_shapes(q, k, v, m, kind, pk, pv, nonpad, opt)
    y = A.empty(shapes[0], q)
    present_k = A.empty(shapes[1], k) if return_present else None
    present_v = A.empty(shapes[2], v) if return_present else None
    qk = A.empty(shapes[3], q) if return_qk_matmul_output else None
    _core.attention(q, k, v, m, kind, pk, pv, nonpad, opt, y, present_k, present_v, qk)
    return AttentionResult(y, present_k, present_v, qk)
