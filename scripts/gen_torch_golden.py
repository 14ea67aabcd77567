#!/usr/bin/env python3
"""Writes the PyTorch golden data for tests/golden/torch_parity_test.cpp.

Two families of cases, each a folder of small .npy files under tests/golden/torch/, listed in
tests/golden/torch/index.json:

  module/<name>/  torch.nn.MultiheadAttention in eval mode: every state_dict tensor, the inputs,
                  the masks, the output and (need_weights) the attention weights.
  sdpa/<name>/    torch.nn.functional.scaled_dot_product_attention: q, k, v, the mask and y.

Deterministic: every case draws from its own generator seeded by a CRC of its name, torch runs
on one thread (a threaded GEMM may split a reduction differently from run to run), and np.save
writes no timestamps; re-running gives byte-identical files.

NumPy has no bfloat16, so bf16 tensors are stored as their bit patterns in uint16 ('<u2'), and
the index says "bf16" for them; the C++ .npy reader maps '<u2' to bf16.

Fully masked rows are avoided (torch gives NaN there, mha gives 0 by design): every mask is
checked to leave each query at least one key, and every output is checked to be finite.

Left out on purpose: nn.MultiheadAttention with is_causal=True, add_bias_kv or add_zero_attn,
need_weights=False and no key_padding_mask. There torch drops the (padded) causal attn_mask and
calls SDPA with is_causal=True over the S + 1 (or S + 2) keys, which also hides the appended
keys from queries i < S; with need_weights=True the same call keeps them (the padded mask).
torch thus gives two answers for one module call; mha gives the need_weights=True one always,
which is what the causal_bias_kv_weights and causal_zero_attn_kpm cases check.

Usage (from the repository root):
  /work/pyenv/bin/python scripts/gen_torch_golden.py [--out tests/golden/torch]
Versions: scripts/requirements-golden.txt.
"""
import argparse
import json
import shutil
import warnings
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

FORMAT_VERSION = 1


def generator(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


def save(folder, root, fname, t):
    """Saves a tensor as .npy; returns (path relative to root, dtype name for the index)."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        arr, dt = t.view(torch.int16).numpy().view(np.uint16), "bf16"
    else:
        arr = t.numpy()
        dt = {np.float32: "f32", np.float64: "f64", np.float16: "f16", np.bool_: "bool"}[arr.dtype.type]
    path = folder / (fname + ".npy")
    np.save(path, arr, allow_pickle=False)
    return {"file": str(path.relative_to(root)), "dtype": dt, "shape": list(arr.shape)}


def rand_bool_drop(g, shape, p=0.3):
    """Random torch-module bool mask (True = masked out)."""
    return torch.rand(shape, generator=g) < p


def rand_float_mask(g, shape, p_inf=0.2):
    """Random additive mask: finite values plus some -inf."""
    m = torch.randn(shape, generator=g)
    m[torch.rand(shape, generator=g) < p_inf] = float("-inf")
    return m


def causal_drop(L, S):
    """torch's causal attn_mask for the module (True = masked out): key j > query i."""
    return torch.ones(L, S, dtype=torch.bool).triu(1)


# ------------------------------------------------------------------------------------------------
# nn.MultiheadAttention
# ------------------------------------------------------------------------------------------------

# Each case: module options, input sizes, masks and forward flags.
#   N None = unbatched; L query length, S key length (self=True: key and value are the query).
#   kpm / attn: None, "bool", "float"; attn3d: [N·H, L, S] instead of [L, S];
#   causal: is_causal with torch's required causal attn_mask (bool or float per `attn`).
#   inference: run under torch.no_grad() so eligible cases take torch's fused fast path
#   (torch._native_multi_head_attention) instead of the Python multi_head_attention_forward.
M = dict(E=16, H=4, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False, kdim=None, vdim=None,
         batch_first=False, N=2, L=6, S=6, self=True, kpm=None, attn=None, attn3d=False, need_weights=True,
         average=True, causal=False, inference=False)

MODULE_CASES = {
    "basic_seq_first": {},
    "batch_first": dict(batch_first=True),
    "no_bias": dict(bias=False),
    "dropout_eval": dict(dropout=0.3),
    "dropout_eval_no_weights": dict(dropout=0.5, need_weights=False, batch_first=True),
    "bias_kv": dict(add_bias_kv=True),
    "zero_attn": dict(add_zero_attn=True),
    "bias_kv_zero_attn": dict(add_bias_kv=True, add_zero_attn=True, batch_first=True),
    "kdim_vdim_cross": dict(kdim=10, vdim=12, self=False, L=5, S=7),
    "kdim_vdim_batch_first_no_bias": dict(kdim=12, vdim=6, self=False, L=4, S=9, batch_first=True, bias=False),
    "kdim_vdim_bias_kv_zero_attn": dict(kdim=7, vdim=5, self=False, L=3, S=5, add_bias_kv=True, add_zero_attn=True,
                                        kpm="bool", average=False),
    "unbatched_self": dict(N=None),
    "unbatched_cross_masks": dict(N=None, self=False, L=4, S=7, kpm="bool", attn="bool", attn3d=True),
    "unbatched_per_head": dict(N=None, average=False, attn="float"),
    "unbatched_kpm_float_no_weights": dict(N=None, self=False, L=5, S=8, kpm="float", need_weights=False),
    "kpm_bool": dict(kpm="bool", N=3),
    "kpm_float": dict(kpm="float", N=3, batch_first=True),
    "attn2d_bool": dict(attn="bool"),
    "attn2d_float": dict(attn="float"),
    "attn3d_bool": dict(attn="bool", attn3d=True),
    "attn3d_float": dict(attn="float", attn3d=True, batch_first=True),
    "both_masks_bool": dict(attn="bool", kpm="bool", self=False, L=5, S=8),
    "mixed_masks_float_attn_bool_kpm": dict(attn="float", attn3d=True, kpm="bool"),
    "no_weights": dict(need_weights=False),
    "no_weights_masks": dict(need_weights=False, attn="float", attn3d=True, kpm="bool", self=False, L=7, S=5),
    "per_head_weights": dict(average=False),
    "per_head_weights_masks": dict(average=False, attn="bool", kpm="float", batch_first=True),
    "causal_self_no_weights": dict(causal=True, attn="bool", need_weights=False),
    "causal_self_weights": dict(causal=True, attn="float"),
    "causal_kpm": dict(causal=True, attn="bool", kpm="bool", need_weights=False),
    "causal_cross_short_query": dict(causal=True, attn="bool", self=False, L=4, S=9, need_weights=False),
    "causal_cross_long_query": dict(causal=True, attn="float", self=False, L=9, S=4, average=False),
    # is_causal with appended keys: torch pads the causal mask with kept columns. Only with
    # need_weights=True or a key_padding_mask: otherwise torch answers differently (docstring).
    "causal_bias_kv_weights": dict(causal=True, attn="bool", add_bias_kv=True),
    "causal_zero_attn_kpm": dict(causal=True, attn="float", add_zero_attn=True, kpm="bool", need_weights=False),
    "cross_long_query": dict(self=False, L=11, S=3),
    "cross_short_query": dict(self=False, L=2, S=12, batch_first=True),
    "zero_attn_masks_no_weights": dict(add_zero_attn=True, attn="bool", attn3d=True, kpm="bool", need_weights=False),
    "bias_kv_masks_per_head": dict(add_bias_kv=True, attn="float", attn3d=True, kpm="float", average=False,
                                   self=False, L=5, S=6),
    "single_head": dict(H=1, E=12),
    "head_dim_1": dict(E=4, H=4),
    "odd_heads": dict(E=15, H=3, attn="bool", batch_first=True),
    "larger": dict(E=64, H=8, N=3, L=33, S=33, kpm="bool"),
    "larger_cross_per_head": dict(E=48, H=6, L=17, S=40, self=False, attn="float", average=False),
    "fast_path_no_weights": dict(batch_first=True, inference=True, need_weights=False, kpm="bool"),
    "fast_path_weights": dict(batch_first=True, inference=True, attn="bool"),
    "fast_path_causal": dict(batch_first=True, inference=True, causal=True, attn="bool", need_weights=False),
}


def module_masks(g, c, N, L, S, extra):
    """Draws the masks of a module case, re-drawing until no query row is fully masked."""
    H = c["H"]
    for _ in range(1000):
        kpm = attn = None
        if c["kpm"]:
            shape = (S,) if N is None else (N, S)
            kpm = rand_bool_drop(g, shape) if c["kpm"] == "bool" else rand_float_mask(g, shape)
        if c["causal"]:
            drop = causal_drop(L, S)
            if c["attn3d"]:
                drop = drop.expand((N or 1) * H, L, S).clone()
            attn = drop if c["attn"] == "bool" else torch.zeros(drop.shape).masked_fill(drop, float("-inf"))
        elif c["attn"]:
            shape = ((N or 1) * H, L, S) if c["attn3d"] else (L, S)
            attn = rand_bool_drop(g, shape) if c["attn"] == "bool" else rand_float_mask(g, shape)
        # Kept keys per [N, H, L, S], as torch combines the masks; appended keys are always kept.
        kept = torch.ones((N or 1), H, L, S, dtype=torch.bool)
        if kpm is not None:
            k = ~kpm if kpm.dtype == torch.bool else torch.isfinite(kpm)
            kept &= k.reshape(N or 1, 1, 1, S)
        if attn is not None:
            a = ~attn if attn.dtype == torch.bool else torch.isfinite(attn)
            kept &= a.reshape(N or 1, H, L, S) if a.dim() == 3 else a
        if extra > 0 or kept.any(-1).all():
            return kpm, attn
    raise RuntimeError("could not draw masks without fully masked rows")


def gen_module_case(root, name, spec):
    c = dict(M, **spec)
    g = generator("module/" + name)
    E, H, N, L, S = c["E"], c["H"], c["N"], c["L"], c["S"]
    kdim, vdim = c["kdim"] or E, c["vdim"] or E
    torch.manual_seed(zlib.crc32(name.encode()))  # torch's own initialisation of the module
    m = torch.nn.MultiheadAttention(E, H, dropout=c["dropout"], bias=c["bias"], add_bias_kv=c["add_bias_kv"],
                                    add_zero_attn=c["add_zero_attn"], kdim=c["kdim"], vdim=c["vdim"],
                                    batch_first=c["batch_first"])
    # torch initialises biases to zero; random biases make the test see them.
    with torch.no_grad():
        for pname, p in m.named_parameters():
            if pname.endswith("bias"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
    m.eval()

    def shaped(seq, dim):
        if N is None:
            return torch.randn(seq, dim, generator=g)
        t = torch.randn(N, seq, dim, generator=g)  # batch first, then to the module's layout
        return t if c["batch_first"] else t.transpose(0, 1).contiguous()

    query = shaped(L, E)
    if c["self"]:
        assert L == S and kdim == E and vdim == E
        key = value = query
    else:
        key, value = shaped(S, kdim), shaped(S, vdim)
    extra = int(c["add_bias_kv"]) + int(c["add_zero_attn"])
    kpm, attn = module_masks(g, c, N, L, S, extra)

    kwargs = dict(key_padding_mask=kpm, need_weights=c["need_weights"], attn_mask=attn,
                  average_attn_weights=c["average"], is_causal=c["causal"])
    if c["inference"]:
        with torch.no_grad():
            out, w = m(query, key, value, **kwargs)
    else:
        out, w = m(query, key, value, **kwargs)
    assert torch.isfinite(out).all(), name
    assert (w is None) == (not c["need_weights"]), name
    if w is not None:
        assert torch.isfinite(w).all(), name

    folder = root / "module" / name
    folder.mkdir(parents=True)
    case = {
        "name": name,
        "options": {"embed_dim": E, "num_heads": H, "dropout": c["dropout"], "bias": c["bias"],
                    "add_bias_kv": c["add_bias_kv"], "add_zero_attn": c["add_zero_attn"], "kdim": kdim,
                    "vdim": vdim, "batch_first": c["batch_first"]},
        "forward": {"need_weights": c["need_weights"], "average_attn_weights": c["average"],
                    "is_causal": c["causal"]},
        "self_attention": c["self"],
        "torch_path": "no_grad (fast path when eligible)" if c["inference"] else "python",
        "state_dict": {k: save(folder, root, k.replace(".", "_"), v) for k, v in m.state_dict().items()},
        "inputs": {"query": save(folder, root, "query", query)},
        "outputs": {"output": save(folder, root, "output", out)},
    }
    if not c["self"]:
        case["inputs"]["key"] = save(folder, root, "key", key)
        case["inputs"]["value"] = save(folder, root, "value", value)
    # The module's bool masks mean "masked out" (mha::Mask::drop); float masks add.
    for mname, mt in (("key_padding_mask", kpm), ("attn_mask", attn)):
        if mt is not None:
            case["inputs"][mname] = dict(save(folder, root, mname, mt),
                                         kind="drop" if mt.dtype == torch.bool else "additive")
    if w is not None:
        case["outputs"]["weights"] = save(folder, root, "weights", w)
    return case


# ------------------------------------------------------------------------------------------------
# F.scaled_dot_product_attention
# ------------------------------------------------------------------------------------------------

# B, Hq, Hkv, Sq, Skv, D, Dv; mask: None, ("bool", shape) or ("float", shape) — shapes broadcast
# to [B, Hq, Sq, Skv]; SDPA's bool mask means "attend" (mha::Mask::keep).
# qk_scale multiplies q and k: scores of tens test that the softmax subtracts the row maximum.
A = dict(B=2, Hq=4, Hkv=4, Sq=7, Skv=9, D=16, Dv=16, mask=None, causal=False, scale=None, dtype="f32", qk_scale=1.0)

SDPA_CASES = {
    "basic": {},
    "causal_square": dict(causal=True, Sq=8, Skv=8),
    "causal_short_query": dict(causal=True, Sq=5, Skv=11),
    "causal_long_query": dict(causal=True, Sq=11, Skv=5),
    "bool_mask_2d": dict(mask=("bool", (7, 9))),
    "bool_mask_padding": dict(mask=("bool", (2, 1, 1, 9))),
    "bool_mask_3d_heads": dict(mask=("bool", (4, 1, 9))),
    "float_mask_heads": dict(mask=("float", (1, 4, 7, 9))),
    "float_mask_full": dict(mask=("float", (2, 4, 7, 9))),
    "float_mask_2d_scale": dict(mask=("float", (7, 9)), scale=0.3),
    "scale_value_dim": dict(scale=0.11, Dv=24, Sq=3, Skv=13),
    "gqa_causal_short_query": dict(Hq=8, Hkv=2, causal=True, Sq=6, Skv=10),
    "gqa_causal_long_query": dict(Hq=6, Hkv=3, causal=True, Sq=12, Skv=7),
    "mqa_bool_mask": dict(Hq=6, Hkv=1, mask=("bool", (2, 1, 7, 9))),
    "gqa_float_mask_scale": dict(Hq=8, Hkv=4, mask=("float", (1, 8, 1, 9)), scale=0.5, Dv=8),
    "single_query": dict(Sq=1, Skv=20, mask=("bool", (2, 1, 1, 20))),
    "large_scores": dict(qk_scale=4.0, mask=("float", (2, 1, 7, 9))),
    "longer": dict(B=1, Hq=4, Hkv=4, Sq=64, Skv=96, D=64, Dv=64, mask=("float", (64, 96))),
    "bf16_basic": dict(dtype="bf16"),
    "bf16_gqa_causal": dict(dtype="bf16", Hq=8, Hkv=2, causal=True, Sq=9, Skv=6),
    "bf16_bool_mask": dict(dtype="bf16", mask=("bool", (2, 4, 7, 9))),
    "bf16_float_mask_scale": dict(dtype="bf16", mask=("float", (7, 9)), scale=0.2, Dv=8),
    "f16_basic_causal": dict(dtype="f16", causal=True, Sq=6, Skv=10),
    "f16_gqa_float_mask": dict(dtype="f16", Hq=4, Hkv=2, mask=("float", (2, 1, 7, 9))),
}

TORCH_DTYPE = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}


def gen_sdpa_case(root, name, spec):
    c = dict(A, **spec)
    g = generator("sdpa/" + name)
    dt = TORCH_DTYPE[c["dtype"]]
    B, Hq, Hkv, Sq, Skv, D, Dv = (c[k] for k in ("B", "Hq", "Hkv", "Sq", "Skv", "D", "Dv"))
    q = (c["qk_scale"] * torch.randn(B, Hq, Sq, D, generator=g)).to(dt)
    k = (c["qk_scale"] * torch.randn(B, Hkv, Skv, D, generator=g)).to(dt)
    v = torch.randn(B, Hkv, Skv, Dv, generator=g).to(dt)
    mask = None
    kept = torch.ones(B, Hq, Sq, Skv, dtype=torch.bool)
    if c["causal"]:  # SDPA's is_causal: top-left, key j > query i removed
        kept &= torch.ones(Sq, Skv, dtype=torch.bool).tril()
    if c["mask"]:
        kind, shape = c["mask"]
        for _ in range(1000):
            if kind == "bool":
                mask = torch.rand(shape, generator=g) >= 0.3  # True = attend
                keep = mask
            else:
                mask = rand_float_mask(g, shape).to(dt)  # SDPA wants the mask in the query dtype
                keep = torch.isfinite(mask)
            if (kept & keep).any(-1).all():
                break
        else:
            raise RuntimeError(name + ": could not draw a mask without fully masked rows")
        kept &= keep
    assert kept.any(-1).all(), name + ": a query row has no key (torch NaN, mha 0)"
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=c["causal"], scale=c["scale"],
                                       enable_gqa=Hq != Hkv)
    assert torch.isfinite(y).all(), name

    folder = root / "sdpa" / name
    folder.mkdir(parents=True)
    case = {
        "name": name,
        "dtype": c["dtype"],
        "is_causal": c["causal"],
        "scale": c["scale"],
        "enable_gqa": Hq != Hkv,
        "inputs": {"query": save(folder, root, "query", q), "key": save(folder, root, "key", k),
                   "value": save(folder, root, "value", v)},
        "outputs": {"y": save(folder, root, "y", y)},
    }
    if mask is not None:
        case["inputs"]["attn_mask"] = dict(save(folder, root, "attn_mask", mask),
                                           kind="keep" if mask.dtype == torch.bool else "additive")
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch"))
    args = ap.parse_args()
    root = Path(args.out)
    if root.exists():
        shutil.rmtree(root)  # no stale cases survive a re-run
    root.mkdir(parents=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    # mixed_masks_float_attn_bool_kpm mixes a float attn_mask with a bool key_padding_mask on
    # purpose: torch still supports it (converting the bool mask to -inf) but warns.
    warnings.filterwarnings("ignore", message="Support for mismatched key_padding_mask and attn_mask")

    index = {
        "format_version": FORMAT_VERSION,
        "generator": "scripts/gen_torch_golden.py",
        "torch": torch.__version__.split("+")[0],
        "numpy": np.__version__,
        "note": "bf16 tensors are stored as uint16 bit patterns ('<u2'); dtype says bf16",
        "module": [gen_module_case(root, n, s) for n, s in MODULE_CASES.items()],
        "sdpa": [gen_sdpa_case(root, n, s) for n, s in SDPA_CASES.items()],
    }
    with open(root / "index.json", "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(index['module'])} module and {len(index['sdpa'])} sdpa cases to {root}")


if __name__ == "__main__":
    main()
