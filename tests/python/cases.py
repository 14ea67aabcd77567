"""Randomized attention configurations (hypothesis strategies) and the helpers to run them
through NumPy, torch and mha."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

import numpy as np
from hypothesis import strategies as st


def round_to(dtype: str, x: np.ndarray) -> np.ndarray:
    """float64 values rounded to `dtype` (nearest even), returned as float64."""
    x = np.asarray(x, dtype=np.float64)
    if dtype in ("float64",):
        return x
    if dtype == "bfloat16":
        bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return x.astype(dtype).astype(np.float64)


@dataclass
class SdpaCase:
    dtype: str
    q: np.ndarray  # float64 values exactly representable in dtype
    k: np.ndarray
    v: np.ndarray
    mask: Optional[np.ndarray] = None  # bool or float64 (representable in dtype)
    is_causal: bool = False
    scale: Optional[float] = None
    enable_gqa: bool = False
    note: str = field(default="")

    def describe(self) -> str:
        m = "none" if self.mask is None else f"{self.mask.dtype}{list(self.mask.shape)}"
        return (f"{self.dtype} q{list(self.q.shape)} k{list(self.k.shape)} v{list(self.v.shape)} mask {m} "
                f"causal={self.is_causal} scale={self.scale} gqa={self.enable_gqa}")


@st.composite
def sdpa_cases(draw, dtypes: Tuple[str, ...]) -> SdpaCase:
    dtype = draw(st.sampled_from(dtypes))
    rank = draw(st.integers(2, 4))
    gqa = rank >= 3 and draw(st.booleans())
    hkv = draw(st.integers(1, 3))
    hq = hkv * (draw(st.integers(2, 3)) if gqa else 1)
    n = draw(st.integers(1, 3))
    L, S = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    E, Ev = draw(st.sampled_from([1, 2, 3, 8, 16, 33, 64])), draw(st.sampled_from([1, 4, 7, 16, 64]))
    batch_q = {2: (), 3: (hq,), 4: (n, hq)}[rank]
    batch_kv = {2: (), 3: (hkv,), 4: (n, hkv)}[rank]
    if not gqa and rank >= 3 and draw(st.booleans()):
        # key/value broadcast over some batch dimensions (torch's math path allows it)
        batch_kv = tuple(d if draw(st.booleans()) else 1 for d in batch_kv)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([0.5, 1.0, 2.0]))
    q = round_to(dtype, rng.standard_normal(batch_q + (L, E)) * spread)
    k = round_to(dtype, rng.standard_normal(batch_kv + (S, E)) * spread)
    v = round_to(dtype, rng.standard_normal(batch_kv + (S, Ev)))
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    mask = None
    if kind in ("bool", "float"):
        full = batch_q + (L, S)
        mrank = draw(st.integers(2, len(full)))  # torch wants at least (L, S)
        shape = tuple(d if draw(st.booleans()) or i >= mrank - 1 else 1
                      for i, d in enumerate(full[len(full) - mrank:]))
        if kind == "bool":
            mask = rng.random(shape) < draw(st.sampled_from([0.5, 0.8, 1.0]))
        else:
            mask = round_to(dtype, rng.standard_normal(shape) * 2.0)
            mask[rng.random(shape) < 0.2] = -np.inf
    scale = draw(st.one_of(st.none(), st.floats(0.05, 1.5)))
    if scale is not None:
        scale = float(round_to("float32", np.float64(scale)))
    return SdpaCase(dtype, q, k, v, mask, kind == "causal", scale, gqa)


def to_numpy(case: SdpaCase, x: np.ndarray) -> np.ndarray:
    return x if x.dtype == bool else x.astype(case.dtype)


def to_torch(case: SdpaCase, x: np.ndarray) -> Any:
    import torch

    if x.dtype == bool:
        return torch.from_numpy(x)
    return torch.from_numpy(x).to(getattr(torch, case.dtype))


def as_float64(y: Any) -> np.ndarray:
    if hasattr(y, "detach"):
        return y.detach().double().numpy()
    return np.asarray(y, dtype=np.float64)


def dead_rows(case: SdpaCase) -> np.ndarray:
    """True where a query row has no key left (the reference gives 0 there)."""
    L, S = case.q.shape[-2], case.k.shape[-2]
    keep = np.ones((L, S), bool)
    if case.is_causal:
        keep = np.tril(keep)
    if case.mask is not None:
        m = case.mask if case.mask.dtype == bool else np.isfinite(case.mask)
        keep = keep & m
    return ~keep.any(axis=-1)
