"""Float64 NumPy peers of mha's functions, with torch's semantics, for the tests (they run
everywhere, torch or not)."""

from __future__ import annotations

from typing import Optional

import numpy as np


def sdpa(q, k, v, mask=None, is_causal=False, scale=None, enable_gqa=False) -> np.ndarray:
    """torch.nn.functional.scaled_dot_product_attention in float64; rows with every key
    masked give 0 (mha's convention)."""
    q, k, v = (np.asarray(x, dtype=np.float64) for x in (q, k, v))
    if enable_gqa and k.ndim >= 3 and k.shape[-3] != q.shape[-3] and k.shape[-3] > 1:
        group = q.shape[-3] // k.shape[-3]
        k = np.repeat(k, group, axis=-3)
        v = np.repeat(v, group, axis=-3)
    L, S = q.shape[-2], k.shape[-2]
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    s = (q @ np.swapaxes(k, -1, -2)) * scale
    keep = np.ones((L, S), dtype=bool)
    if is_causal:
        keep = np.tril(keep)
    s = np.where(keep, s, -np.inf)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype == bool:
            s = np.where(mask, s, -np.inf)
        else:
            s = s + mask.astype(np.float64)
    return _softmax_times(s, v)


def _softmax_times(s: np.ndarray, v: np.ndarray) -> np.ndarray:
    top = np.max(s, axis=-1, keepdims=True)
    dead = ~np.isfinite(top)  # every key masked
    p = np.exp(s - np.where(dead, 0.0, top))
    p = np.where(np.isneginf(s), 0.0, p)
    total = p.sum(axis=-1, keepdims=True)
    p = np.where(dead, 0.0, p / np.where(dead, 1.0, total))
    return p @ v


def score_bound(q, k, scale: Optional[float]) -> float:
    """M = scale · max over (query, key) of Σ_d |q_d|·|k_d|: no score can exceed it in
    magnitude, and rounding a score costs at most u·M."""
    q = np.abs(np.asarray(q, dtype=np.float64))
    k = np.abs(np.asarray(k, dtype=np.float64))
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else abs(scale)
    if k.ndim >= 3 and q.ndim >= 3 and k.shape[-3] not in (1, q.shape[-3]):
        k = np.repeat(k, q.shape[-3] // k.shape[-3], axis=-3)
    return float(scale * np.max(q @ np.swapaxes(k, -1, -2), initial=0.0))
