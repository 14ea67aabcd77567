#!/usr/bin/env python3
"""Runs the standard grid through mha, PyTorch and ONNX Runtime in one run and prints the ratios.

Same inputs (the counter-based generator of tools/mha/bench_inputs.hpp, reproduced here in NumPy),
same thread count for every system, validated before timing. mha runs as `mha bench --json`
(which measures the machine's peaks in the same run); PyTorch (F.scaled_dot_product_attention,
nn.MultiheadAttention in eval + inference mode) and ONNX Runtime (the ONNX Attention operator;
com.microsoft.Attention plus the output MatMul for the module) run in this process.

    bench/compare.py --mha build/release/mha --threads 2 --json bench/results.json
    bench/compare.py --case prefill-64 --case decode-gqa --threads 1

Output: one row per case and dtype with mha, torch and ort rates (GFLOP/s, or GB/s for decode),
% of the measured peak, and mha/torch and mha/ort ratios. --json writes the list of objects
{case, dtype, B, H, Hkv, Sq, Skv, D, causal, masked, threads, unit, peak, mha, torch, ort} (a
system that cannot run a case gets null), plus err_mha and err_torch: the largest error against
an exact float64 computation on sampled rows, when the Python package `mha` is importable
(mha's output then comes from mha.scaled_dot_product_attention on torch's very inputs).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# ---- inputs: tools/mha/bench_inputs.hpp, in NumPy --------------------------------------------------
STREAM = {"query": 1, "key": 2, "value": 3, "mask": 4, "module_input": 5, "weights": 6}


def splitmix64(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform(stream, shape, scale=1.0):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bits = splitmix64((np.uint64(stream) << np.uint64(40)) ^ i) >> np.uint64(40)
    u = bits.astype(np.float64) * 2.0**-24 * 2.0 - 1.0
    return (np.float32(scale) * u.astype(np.float32)).reshape(shape)


def masks(shape):
    u = uniform(STREAM["mask"], shape)
    keep = u >= np.float32(-0.8)
    additive = np.where(keep, u, np.float32(-np.inf)).astype(np.float32)
    return keep, additive


def median_ms(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times), max(times)


# ---- PyTorch -----------------------------------------------------------------------------------
def torch_inputs(case, inputs):
    """q, k, v and the mask (or None) as torch tensors of the case's dtype."""
    import torch

    dt = {"f32": torch.float32, "bf16": torch.bfloat16}[case["dtype"]]
    q, k, v = (torch.from_numpy(inputs[n]).to(dt) for n in ("q", "k", "v"))
    mask = None
    if case["masked"] == "bool":
        mask = torch.from_numpy(inputs["keep"])
    elif case["masked"] == "float":
        mask = torch.from_numpy(inputs["additive"]).to(dt)
    return q, k, v, mask


def torch_attention(case, inputs, reps):
    import torch
    import torch.nn.functional as F

    q, k, v, mask = torch_inputs(case, inputs)
    gqa = case["H"] != case["Hkv"]
    with torch.inference_mode():
        run = lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=case["causal"], enable_gqa=gqa)
        out = run()
        ms = median_ms(run, reps)
    return out.float().numpy(), ms


def torch_module(case, inputs, reps):
    import torch

    E, H = case["E"], case["H"]
    m = torch.nn.MultiheadAttention(E, H, batch_first=True).eval()
    with torch.no_grad():
        m.in_proj_weight.copy_(torch.from_numpy(inputs["w_in"]))
        m.in_proj_bias.copy_(torch.from_numpy(inputs["b_in"]))
        m.out_proj.weight.copy_(torch.from_numpy(inputs["w_out"]))
        m.out_proj.bias.copy_(torch.from_numpy(inputs["b_out"]))
    x = torch.from_numpy(inputs["x"])
    if case["dtype"] == "bf16":  # mha's case: bf16 parameters; torch's bf16 module (bf16 activations too)
        m = m.to(torch.bfloat16)
        x = x.to(torch.bfloat16)
    with torch.inference_mode():
        run = lambda: m(x, x, x, need_weights=case["need_weights"])
        out = run()[0]
        ms = median_ms(run, reps)
    return out.float().numpy(), ms


# ---- ONNX Runtime ------------------------------------------------------------------------------
def ort_session(model, threads):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def ort_attention(case, inputs, reps, threads):
    import onnx
    from onnx import TensorProto, helper

    if case["dtype"] != "f32":
        return None, None  # ORT's CPU Attention kernel is float32-only
    names = ["Q", "K", "V"]
    feeds = {"Q": inputs["q"], "K": inputs["k"], "V": inputs["v"]}
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(feeds[n].shape)) for n in names]
    if case["masked"] != "none":
        names.append("attn_mask")
        feeds["attn_mask"] = inputs["keep"] if case["masked"] == "bool" else inputs["additive"]
        ttype = TensorProto.BOOL if case["masked"] == "bool" else TensorProto.FLOAT
        ins.append(helper.make_tensor_value_info("attn_mask", ttype, list(feeds["attn_mask"].shape)))
    node = helper.make_node("Attention", names, ["Y"], is_causal=int(case["causal"]))
    out = helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph([node], "attention", ins, [out]), opset_imports=[helper.make_opsetid("", 23)])
    try:
        sess = ort_session(model, threads)
        run = lambda: sess.run(None, feeds)[0]
        y = run()
    except Exception as e:  # an operator or configuration this ORT cannot run
        print(f"  ort: {case['label']}: {str(e).splitlines()[0][:120]}", file=sys.stderr)
        return None, None
    return y, median_ms(run, reps)


def ort_module(case, inputs, reps, threads):
    from onnx import TensorProto, helper, numpy_helper

    E, H = case["E"], case["H"]
    if case["dtype"] != "f32":
        return None, None  # ORT's CPU com.microsoft.Attention is float32-only
    x = inputs["x"]
    inits = [
        numpy_helper.from_array(np.ascontiguousarray(inputs["w_in"].T), "w_qkv"),  # [E, 3E]
        numpy_helper.from_array(inputs["b_in"], "b_qkv"),
        numpy_helper.from_array(np.ascontiguousarray(inputs["w_out"].T), "w_out"),
        numpy_helper.from_array(inputs["b_out"], "b_out"),
    ]
    nodes = [
        helper.make_node("Attention", ["x", "w_qkv", "b_qkv"], ["ctx"], domain="com.microsoft", num_heads=H),
        helper.make_node("MatMul", ["ctx", "w_out"], ["proj"]),
        helper.make_node("Add", ["proj", "b_out"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "mha_module", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    try:
        sess = ort_session(model, threads)
        run = lambda: sess.run(None, {"x": x})[0]
        y = run()
    except Exception as e:
        print(f"  ort: {case['label']}: {str(e).splitlines()[0][:120]}", file=sys.stderr)
        return None, None
    return y, median_ms(run, reps)


# ---- the comparison ----------------------------------------------------------------------------
def case_inputs(case):
    dt = case["dtype"]
    if case["case"] == "module":
        E, B, S = case["E"], case["B"], case["Sq"]
        ws = 1.0 / math.sqrt(E)
        return {
            "w_in": uniform(STREAM["weights"], (3 * E, E), ws),
            "b_in": uniform(STREAM["weights"] + 1, (3 * E,), 0.1),
            "w_out": uniform(STREAM["weights"] + 2, (E, E), ws),
            "b_out": uniform(STREAM["weights"] + 3, (E,), 0.1),
            "x": uniform(STREAM["module_input"], (B, S, E)),
        }
    B, H, Hkv, Sq, Skv, D = (case[n] for n in ("B", "H", "Hkv", "Sq", "Skv", "D"))
    inp = {
        "q": uniform(STREAM["query"], (B, H, Sq, D)),
        "k": uniform(STREAM["key"], (B, Hkv, Skv, D)),
        "v": uniform(STREAM["value"], (B, Hkv, Skv, D)),
    }
    if dt == "bf16":  # what mha computes on: the values rounded to bf16 (nearest even)
        import torch
        for n in ("q", "k", "v"):
            inp[n] = torch.from_numpy(inp[n]).to(torch.bfloat16).float().numpy()
    if case["masked"] != "none":
        inp["keep"], inp["additive"] = masks((B, 1, Sq, Skv))
    return inp


def exact_rows_ok(case, inputs, y):
    """Checks 4 rows of a peer's attention output against an exact float64 computation, under
    the bound mha's own check uses (src/attention/error_bound.hpp): fp32 roundoff scaled by the
    head size and key count, plus the 16-bit output's rounding and probability rounding."""
    return exact_rows(case, inputs, y)[0]


def exact_rows(case, inputs, y):
    """(within the bound, largest |y - exact|) over the 4 sampled rows."""
    B, H, Hkv, Sq, Skv, D = (case[n] for n in ("B", "H", "Hkv", "Sq", "Skv", "D"))
    q, k, v = (inputs[n].astype(np.float64) for n in ("q", "k", "v"))
    u = 2.0**-24
    u16 = 0.0 if case["dtype"] == "f32" else 2.0**-8
    scale = 1.0 / math.sqrt(D)
    ok, worst = True, 0.0
    for n in range(4):
        h64 = int(splitmix64(np.array([0x5EED + n], dtype=np.uint64))[0])
        b, h = h64 % B, (h64 >> 16) % H
        i = Sq - 1 if n == 0 else (h64 >> 32) % Sq
        hk = h // (H // Hkv)
        s = scale * (k[b, hk] @ q[b, h, i])
        kept = np.ones(Skv, dtype=bool)
        if case["causal"]:
            kept[i + 1:] = False
        bias = np.zeros(Skv)
        if case["masked"] != "none":
            kept &= inputs["keep"][b, 0, i]
            if case["masked"] == "float":
                bias = np.where(kept, inputs["additive"][b, 0, i].astype(np.float64), 0.0)
        if not kept.any():
            continue
        x = np.where(kept, s + bias, -np.inf)
        p = np.exp(x - x.max())
        p /= p.sum()
        exact = p @ v[b, hk]
        s_abs = scale * (np.abs(k[b, hk][kept]) @ np.abs(q[b, h, i])).max()
        v_abs = np.abs(v[b, hk][kept]).max()
        bound_s = (D + 4) * u * s_abs + u * np.abs(bias).max()
        tol = (2 * bound_s + (2 * Skv + 8) * u) * v_abs + u16 * (np.abs(exact) + 2 * v_abs) + 1e-30
        err = np.abs(y[b, h, i].astype(np.float64) - exact)
        worst = max(worst, float(err.max()))
        ok = ok and bool(np.all(err <= tol))
    return ok, worst


def agree(a, b, dtype):
    """torch and ORT must agree before their times count (fp32: 1e-4 of the output scale,
    bf16: 2^-6 — several bf16 ulps, since each rounds differently)."""
    tol = 1e-4 if dtype == "f32" else 2.0**-6
    scale = max(1.0, float(np.max(np.abs(a))))
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) <= tol * scale


def mha_python_output(case, inputs):
    """mha's output for an attention case through the Python package (`pip install .`), on the
    inputs torch gets, or None when the package is not importable here."""
    try:
        import mha
    except ImportError:
        return None

    q, k, v, mask = torch_inputs(case, inputs)
    y = mha.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=case["causal"],
                                         enable_gqa=case["H"] != case["Hkv"])
    return y.float().numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mha", default=os.path.join(os.path.dirname(__file__), "..", "build", "release", "mha"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--case", action="append", default=[], help="only cases whose name/label contains this")
    ap.add_argument("--quick", action="store_true", help="skip the largest cases")
    ap.add_argument("--json", help="write the combined results here")
    args = ap.parse_args()

    # mha runs first, before torch is even imported: a loaded torch keeps an OpenMP pool in this
    # process that measurably slows a neighbour on a 2-core machine.
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "mha.json")
        cmd = [args.mha, "--threads", str(args.threads), "bench", "--reps", str(args.reps), "--json", out]
        for c in args.case:
            cmd += ["--case", c]
        if args.quick:
            cmd.append("--quick")
        print("$ " + " ".join(cmd), flush=True)
        subprocess.run(cmd, check=True)
        with open(out) as f:
            cases = json.load(f)

    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    import onnxruntime
    print(f"\ntorch {torch.__version__}, onnxruntime {onnxruntime.__version__}, numpy {np.__version__}, "
          f"{args.threads} threads for every system\n")
    header = f"{'case':62} {'unit':8} {'peak':>7} {'mha':>8} {'torch':>8} {'ort':>8} {'mha%pk':>7} {'×torch':>7} {'×ort':>6}"
    print(header)
    results = []
    for case in cases:
        if case.get("extra_mib") is not None:  # the memory check is mha's alone
            case.update(torch=None, ort=None)
            results.append(case)
            continue
        inputs = case_inputs(case)
        work = case["mha"] * case["ms_median"] * 1e-3  # GFLOP or GB per call, as mha counted it
        if case["case"] == "module":
            ty, tms = torch_module(case, inputs, args.reps)
            oy, oms = ort_module(case, inputs, args.reps, args.threads)
        else:
            ty, tms = torch_attention(case, inputs, args.reps)
            oy, oms = ort_attention(case, inputs, args.reps, args.threads)
        if case["case"] != "module":  # validate the peers too, before their times count
            my = mha_python_output(case, inputs)
            if my is not None:  # numerics: mha's and torch's largest error on the exact rows
                case["err_mha"] = exact_rows(case, inputs, my)[1]
                case["err_torch"] = exact_rows(case, inputs, ty)[1]
            if not exact_rows_ok(case, inputs, ty):
                print(f"  {case['label']}: torch's output fails the exact-row check; not counted", file=sys.stderr)
                tms = None
            if oy is not None and not exact_rows_ok(case, inputs, oy):
                print(f"  {case['label']}: ORT's output fails the exact-row check; not counted", file=sys.stderr)
                oms = None
        elif oy is not None and not agree(ty, oy, case["dtype"]):
            print(f"  {case['label']}: ORT and torch disagree; ORT's time not counted", file=sys.stderr)
            oms = None
        case["torch"] = work / (tms[0] * 1e-3) if tms else None
        case["ort"] = work / (oms[0] * 1e-3) if oms else None
        results.append(case)
        f = lambda x: f"{x:8.1f}" if x is not None else f"{'—':>8}"
        r = lambda a, b: f"{a / b:7.2f}" if a and b else f"{'—':>7}"
        print(f"{case['label']:62} {case['unit']:8} {case['peak']:7.1f} {f(case['mha'])} {f(case['torch'])} {f(case['ort'])} "
              f"{100 * case['mha'] / case['peak']:6.1f}% {r(case['mha'], case['torch'])} {r(case['mha'], case['ort'])}", flush=True)
    checked = [c for c in results if c.get("err_mha") is not None]
    if checked:
        print("\nnumerics: largest |y - exact| on 4 sampled rows per case (exact: float64 on the same "
              "inputs); mha through the Python package")
        print(f"{'case':62} {'mha':>10} {'torch':>10} {'mha/torch':>9}")
        for c in checked:
            ratio = c["err_mha"] / c["err_torch"] if c["err_torch"] > 0 else float("nan")
            print(f"{c['label']:62} {c['err_mha']:10.3g} {c['err_torch']:10.3g} {ratio:9.2f}")
    if args.json:
        keys = ["case", "label", "dtype", "B", "H", "Hkv", "Sq", "Skv", "D", "E", "causal", "masked", "need_weights",
                "threads", "unit", "peak", "mha", "torch", "ort", "extra_mib", "err_mha", "err_torch"]
        with open(args.json, "w") as fjs:
            json.dump([{k: c.get(k) for k in keys} for c in results], fjs, indent=1)


if __name__ == "__main__":
    main()
