#!/usr/bin/env python3
"""Writes tests/python/golden/{sdpa,module}.npz: torch's results on fixed inputs, so that the
Python tests compare mha with torch's numbers where torch is not installed (CI).

Run with a Python that has torch and numpy (the repository's golden data were written with
torch 2.15 on CPU):

    python scripts/gen_python_golden.py [--out tests/python/golden]

Every array is stored as float64 (float16 and bfloat16 values are exact in it), bool masks as
bool; each case's fields live under "case<i>/", with "count" the number of cases. The files stay
small (a few hundred KB): the shapes are the small ones the live tests draw from.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}

# (dtype, q batch, kv batch, L, S, E, Ev, mask, causal, scale, gqa)
# mask: None, ("bool"|"float", shape); the shapes cover every rank and broadcasting pattern.
SDPA_CASES = [
    ("float32", (2, 3), (2, 3), 5, 7, 16, 16, None, False, None, False),
    ("float32", (2, 3), (2, 3), 6, 4, 8, 5, None, True, None, False),     # causal, L > S
    ("float32", (2, 3), (2, 3), 3, 8, 8, 8, None, True, 0.3, False),     # causal, L < S, scale
    ("float32", (2, 6), (2, 2), 4, 9, 32, 16, None, False, None, True),   # GQA
    ("float32", (6,), (3,), 5, 5, 16, 8, ("bool", (6, 5, 5)), False, None, True),
    ("float32", (2, 3), (2, 3), 4, 6, 8, 8, ("bool", (4, 6)), False, None, False),
    ("float32", (2, 3), (2, 3), 4, 6, 8, 8, ("bool", (2, 1, 4, 6)), False, None, False),
    ("float32", (2, 3), (2, 3), 4, 6, 8, 8, ("float", (1, 3, 1, 6)), False, None, False),
    ("float32", (2, 3), (1, 3), 4, 6, 8, 8, ("float", (6,)), False, None, False),  # kv broadcast
    ("float32", (), (), 7, 9, 64, 64, ("float", (7, 9)), False, 0.125, False),     # rank 2
    ("float32", (4,), (4,), 3, 3, 33, 7, ("bool", (3, 3)), False, None, False),    # rank 3
    ("float16", (2, 4), (2, 2), 6, 8, 16, 16, ("bool", (1, 4, 6, 8)), False, None, True),
    ("float16", (2, 3), (2, 3), 8, 5, 64, 32, None, True, None, False),
    ("float16", (3,), (3,), 5, 9, 8, 8, ("float", (3, 5, 9)), False, 0.5, False),
    ("bfloat16", (2, 3), (2, 3), 5, 7, 32, 32, ("float", (5, 7)), False, None, False),
    ("bfloat16", (2, 6), (2, 3), 4, 6, 16, 16, None, True, None, True),
]

# (embed_dim, num_heads, kdim, vdim, bias, add_bias_kv, add_zero_attn, batch_first, L, S, N,
#  key_padding_mask kind, attn_mask kind, is_causal)
MODULE_CASES = [
    (16, 4, None, None, True, False, False, False, 5, 5, 2, None, None, False),
    (16, 4, None, None, True, False, False, True, 4, 6, 3, "bool", None, False),
    (24, 3, 8, 12, True, False, False, True, 5, 7, 2, None, "bool", False),
    (16, 2, None, None, False, True, True, False, 6, 6, 2, "float", "float", False),
    (32, 8, None, None, True, False, False, True, 6, 6, 2, None, "causal", True),
    (16, 4, None, None, True, True, False, True, 5, 4, 0, None, "float", False),  # unbatched
]


def round_trip(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).numpy() if t.dtype != torch.bool else t.numpy()


def sdpa(rng: np.random.Generator) -> dict:
    out: dict = {"count": np.array(len(SDPA_CASES))}
    for i, (dtype, bq, bkv, L, S, E, Ev, mask, causal, scale, gqa) in enumerate(SDPA_CASES):
        td = DTYPES[dtype]
        q = torch.from_numpy(rng.standard_normal(bq + (L, E))).to(td)
        k = torch.from_numpy(rng.standard_normal(bkv + (S, E))).to(td)
        v = torch.from_numpy(rng.standard_normal(bkv + (S, Ev))).to(td)
        m = None
        if mask is not None:
            kind, shape = mask
            if kind == "bool":
                m = torch.from_numpy(rng.random(shape) < 0.7)
            else:
                a = rng.standard_normal(shape) * 2.0
                a[rng.random(shape) < 0.2] = -np.inf
                m = torch.from_numpy(a).to(td)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=causal, scale=scale, enable_gqa=gqa)
        p = f"case{i}/"
        out.update({p + "dtype": np.array(dtype), p + "q": round_trip(q), p + "k": round_trip(k),
                    p + "v": round_trip(v), p + "is_causal": np.array(causal),
                    p + "enable_gqa": np.array(gqa), p + "torch_out": round_trip(y)})
        if scale is not None:
            out[p + "scale"] = np.array(scale)
        if m is not None:
            out[p + "mask"] = round_trip(m)
    return out


def module(rng: np.random.Generator) -> dict:
    out: dict = {"count": np.array(len(MODULE_CASES))}
    for i, (E, H, kdim, vdim, bias, bkv, zero, bf, L, S, N, kpm, am, causal) in enumerate(MODULE_CASES):
        torch.manual_seed(1000 + i)
        mod = torch.nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=bkv, add_zero_attn=zero,
                                          kdim=kdim, vdim=vdim, batch_first=bf).eval()
        if bias:  # torch initializes biases to 0: make them count
            with torch.no_grad():
                mod.in_proj_bias.normal_()
                mod.out_proj.bias.normal_()
        batch = (N,) if N else ()

        def seq(n, d):
            shape = (batch + (n, d)) if (bf or not N) else ((n,) + batch + (d,))
            return torch.from_numpy(rng.standard_normal(shape)).float()

        query, key, value = seq(L, E), seq(S, kdim or E), seq(S, vdim or E)
        masks = {}
        if kpm == "bool":
            masks["key_padding_mask"] = torch.from_numpy(rng.random(batch + (S,)) < 0.3)
            masks["key_padding_mask"][..., 0] = False  # keep one key per row: torch gives NaN otherwise
        elif kpm == "float":
            masks["key_padding_mask"] = torch.from_numpy(rng.standard_normal(batch + (S,))).float()
        if am == "bool":
            masks["attn_mask"] = torch.from_numpy(rng.random((L, S)) < 0.3)
            masks["attn_mask"][:, 0] = False
        elif am == "float":
            masks["attn_mask"] = torch.from_numpy(rng.standard_normal((L, S))).float()
        elif am == "causal":
            masks["attn_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L)
        p = f"case{i}/"
        out.update({p + "embed_dim": np.array(E), p + "num_heads": np.array(H),
                    p + "kdim": np.array(kdim or 0), p + "vdim": np.array(vdim or 0),
                    p + "bias": np.array(bias), p + "add_bias_kv": np.array(bkv),
                    p + "add_zero_attn": np.array(zero), p + "batch_first": np.array(bf),
                    p + "is_causal": np.array(causal),
                    p + "query": round_trip(query), p + "key": round_trip(key), p + "value": round_trip(value)})
        for name, t in mod.state_dict().items():
            out[p + "param/" + name] = round_trip(t)
        for name, t in masks.items():
            out[p + name] = round_trip(t)
        with torch.no_grad():
            for need, avg in ((True, True), (True, False), (False, True)):
                y, w = mod(query, key, value, need_weights=need, average_attn_weights=avg,
                           is_causal=causal, **masks)
                tag = f"{int(need)}{int(avg)}"
                out[p + f"out{tag}"] = round_trip(y)
                if w is not None:
                    out[p + f"weights{tag}"] = round_trip(w)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests/python/golden")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20260101)
    for name, data in (("sdpa", sdpa(rng)), ("module", module(rng))):
        path = args.out / f"{name}.npz"
        np.savez_compressed(path, **data)
        print(f"wrote {path} ({path.stat().st_size // 1024} KB, torch {torch.__version__})")


if __name__ == "__main__":
    main()
