#!/usr/bin/env python3
"""mha's and PyTorch's fp32 attention error against an exact float64 computation, on the same inputs.

128 sampled query rows per head (B=1, H=8, D=64, uniform inputs in [-1, 1]), for a few
configurations; prints the largest and the RMS error of each system and their ratio. Needs the
Python package (`pip install .`) and torch.

    python bench/numerics.py [--threads 2]
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F

import mha


def run(rng, S, D=64, H=8, mask=None, causal=False):
    q, k, v = (rng.uniform(-1, 1, (1, H, S, D)).astype(np.float32) for _ in range(3))
    m = rng.uniform(size=(1, 1, S, S)) >= 0.1 if mask == "bool" else None
    tq, tk, tv = map(torch.from_numpy, (q, k, v))
    tm = torch.from_numpy(m) if m is not None else None
    yt = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, is_causal=causal).numpy()
    ym = mha.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, is_causal=causal).numpy()
    rows = rng.choice(S, 128, replace=False)
    et, em = [], []
    for h in range(H):
        s = (q[0, h, rows].astype(np.float64) @ k[0, h].T.astype(np.float64)) / np.sqrt(D)
        if m is not None:
            s = np.where(m[0, 0, rows], s, -np.inf)
        if causal:
            s = np.where(np.arange(S)[None, :] <= rows[:, None], s, -np.inf)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        exact = p @ v[0, h].astype(np.float64)
        et.append(np.abs(yt[0, h, rows] - exact))
        em.append(np.abs(ym[0, h, rows] - exact))
    et, em = np.concatenate(et), np.concatenate(em)
    rms = lambda e: float(np.sqrt((e**2).mean()))
    print(f"S={S:5} mask={str(mask):5} causal={causal!s:5}  max: mha {em.max():.3g} torch {et.max():.3g} "
          f"ratio {em.max() / et.max():.2f}   rms: mha {rms(em):.3g} torch {rms(et):.3g} ratio {rms(em) / rms(et):.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    mha.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    run(rng, 1024)
    run(rng, 1024, causal=True)
    run(rng, 1024, mask="bool")
    run(rng, 2048)


if __name__ == "__main__":
    main()
