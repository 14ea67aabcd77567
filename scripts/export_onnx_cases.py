#!/usr/bin/env python3
"""Exports the ONNX backend node tests of the `Attention` operator as .npy files for mha.

mha::attention follows the ONNX `Attention` operator (opset 25, onnx 1.23.2 from PyPI). The onnx
package ships a conformance suite for it: every `test_attention*` node case, each with inputs and
the outputs its numpy reference computed. This script writes them where the C++ suite
(tests/conformance/onnx_conformance_test.cpp, ctest label `onnx`) reads them:

  tests/conformance/onnx/<case>/<slot>.npy   one file per present input and expected output
  tests/conformance/onnx/index.json          every case: opset, attributes, inputs, outputs

<slot> is the ONNX name of the operator's input or output position (Q, K, V, attn_mask, past_key,
past_value, nonpad_kv_seqlen; Y, present_key, present_value, qk_matmul_output), so a file says
what it is whatever the graph called the tensor.

NumPy has no bfloat16: bf16 tensors are stored as their bits in uint16 ('<u2') and the index says
"bf16" (tests/common/npy.hpp reads '<u2' as bf16).

Each `_expanded` case is the operator's function body as a graph of primitive ops, with the same
data as its twin. Its Attention attributes are spread over many nodes, so they are taken from the
twin, after checking that the twin's inputs and expected outputs are identical (recorded per case
as "same_data_as_twin"). Both get their own directory; git stores identical files once.

Deterministic and safe to re-run: the files are written only when their bytes change, and files
in tests/conformance/onnx that the current suite no longer has are removed.

Usage (from the repository root):
  python -m venv .venv && .venv/bin/pip install -r scripts/requirements-golden.txt
  .venv/bin/python scripts/export_onnx_cases.py [--out tests/conformance/onnx]
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np

ONNX_VERSION = "1.23.2"  # the version the data must come from: pinned in requirements-golden.txt
PREFIX = "test_attention"
EXPANDED = "_expanded"

# The operator's input and output positions (ONNX Attention, opset 23-25).
INPUT_SLOTS = ("Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen")
OUTPUT_SLOTS = ("Y", "present_key", "present_value", "qk_matmul_output")

# numpy dtype name -> the name mha uses (mha::dtype_name); the index speaks mha's names.
DTYPES = {
    "float32": "f32",
    "float64": "f64",
    "float16": "f16",
    "bfloat16": "bf16",
    "bool": "bool",
    "int64": "i64",
}


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def load_cases():
    import onnx
    from onnx.backend.test.loader import load_model_tests

    if onnx.__version__ != ONNX_VERSION:
        sys.exit(f"export_onnx_cases: need onnx=={ONNX_VERSION}, found {onnx.__version__} "
                 "(pip install -r scripts/requirements-golden.txt)")
    # Building the whole node suite in memory runs every operator's generator; some of them
    # (Cast, ReduceMax, ...) warn about overflow on purpose. Not ours to report.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = [c for c in load_model_tests(kind="node") if c.name.startswith(PREFIX)]
    return {c.name: c for c in cases}


def attribute_values(node) -> dict:
    import onnx

    out = {}
    for a in sorted(node.attribute, key=lambda a: a.name):
        v = onnx.helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        # onnx stores FLOAT attributes as float32; keep the exact float32 value (as a double).
        out[a.name] = float(np.float32(v)) if a.type == onnx.AttributeProto.FLOAT else v
    return out


def opset_of(model) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if len(versions) != 1:
        raise ValueError(f"expected one default-domain opset, got {list(model.opset_import)}")
    return versions[0]


def npy_bytes(a: np.ndarray) -> tuple[bytes, str]:
    """The .npy file of `a` and the dtype name the index gives it."""
    name = a.dtype.name
    if name not in DTYPES:
        raise ValueError(f"unsupported dtype {a.dtype}")
    if name == "bfloat16":
        a = a.view(np.uint16)  # the bits; '<u2' on disk
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue(), DTYPES[name]


def same_arrays(xs, ys) -> bool:
    if len(xs) != len(ys):
        return False
    for x, y in zip(xs, ys):
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if x.tobytes() != y.tobytes():  # bitwise: NaN payloads and -0.0 included
            return False
    return True


def qk_mode0_softcapped(attrs: dict, outputs: list) -> bool:
    """The case asks for qk_matmul_output in mode 0 with a softcap: the operator text says mode 0
    is the raw Q·Kᵀ product, the onnx reference returns it soft-capped. mha returns it raw."""
    wants_qk = any(o["slot"] == "qk_matmul_output" and "absent" not in o for o in outputs)
    return wants_qk and attrs.get("qk_matmul_output_mode", 0) == 0 and attrs.get("softcap", 0.0) > 0


def describe(slots, names, graph_names, arrays, files: dict, case_dir: str):
    """Index entries for the node's inputs or outputs, in position order, absent ones marked.

    names: the node's input/output list ('' = an optional one left out; missing trailing entries
    are left out as well); arrays: the present ones, in order, as in the case's data set."""
    if len(names) > len(slots):
        raise ValueError(f"{len(names)} names for {len(slots)} positions")
    present = [n for n in names if n]
    if present != list(graph_names):
        raise ValueError(f"node names {present} differ from graph names {list(graph_names)}")
    if len(arrays) != len(present):
        raise ValueError(f"{len(arrays)} arrays for {len(present)} names")
    entries, k = [], 0
    for pos, slot in enumerate(slots):
        name = names[pos] if pos < len(names) else ""
        if not name:
            # ONNX leaves an optional position out with an empty name, or (at the end) by not
            # listing it; both mean "not given" / "not requested".
            how = "empty name" if pos < len(names) else "not listed"
            entries.append({"slot": slot, "name": "", "absent": how})
            continue
        data, dtype = npy_bytes(arrays[k])
        file = f"{slot}.npy"
        files[f"{case_dir}/{file}"] = data
        entries.append({"slot": slot, "name": name, "dtype": dtype,
                        "shape": [int(d) for d in arrays[k].shape], "file": file})
        k += 1
    return entries


def export(out_dir: Path) -> int:
    cases = load_cases()
    operator = sorted(n for n in cases if not n.endswith(EXPANDED))
    expanded = sorted(n for n in cases if n.endswith(EXPANDED))
    orphans = [n for n in expanded if n[: -len(EXPANDED)] not in cases]
    if orphans:
        sys.exit(f"export_onnx_cases: expanded cases without an operator twin: {orphans}")

    files: dict[str, bytes] = {}
    index_cases = []
    mode0_softcap = []
    for name in sorted(cases):
        case = cases[name]
        twin_name = name[: -len(EXPANDED)] if name.endswith(EXPANDED) else None
        op_case = cases[twin_name] if twin_name else case
        nodes = op_case.model.graph.node
        if len(nodes) != 1 or nodes[0].op_type != "Attention":
            sys.exit(f"export_onnx_cases: {op_case.name}: expected a single Attention node")
        node = nodes[0]
        if len(case.data_sets) != 1:
            sys.exit(f"export_onnx_cases: {name}: expected one data set, got {len(case.data_sets)}")
        inputs, outputs = case.data_sets[0]

        entry = {"name": name, "opset": opset_of(case.model), "onnx_version": ONNX_VERSION}
        attrs = attribute_values(node)
        if twin_name:
            twin_inputs, twin_outputs = op_case.data_sets[0]
            same = (same_arrays(inputs, twin_inputs) and same_arrays(outputs, twin_outputs)
                    and [i.name for i in case.model.graph.input] == [i.name for i in op_case.model.graph.input]
                    and [o.name for o in case.model.graph.output] == [o.name for o in op_case.model.graph.output])
            if not same:
                sys.exit(f"export_onnx_cases: {name}: data differ from its twin {twin_name}; "
                         "its attributes cannot be taken from the twin")
            entry.update(kind="expanded", twin=twin_name, attributes_from=twin_name,
                         same_data_as_twin=True, graph_nodes=len(case.model.graph.node))
        else:
            entry.update(kind="operator", domain=node.domain or "ai.onnx", op_type=node.op_type)
        entry["attributes"] = attrs
        entry["inputs"] = describe(INPUT_SLOTS, list(node.input), [i.name for i in case.model.graph.input],
                                   inputs, files, name)
        entry["outputs"] = describe(OUTPUT_SLOTS, list(node.output),
                                    [o.name for o in case.model.graph.output], outputs, files, name)
        entry["qk_mode0_softcapped"] = qk_mode0_softcapped(attrs, entry["outputs"])
        if entry["qk_mode0_softcapped"]:
            mode0_softcap.append(name)
        index_cases.append(entry)

    index = {
        "generator": "scripts/export_onnx_cases.py",
        "source": f"onnx=={ONNX_VERSION}: onnx.backend.test.loader.load_model_tests(kind='node'), "
                  f"cases named {PREFIX}*",
        "onnx_version": ONNX_VERSION,
        "layout": "<case>/<slot>.npy per present input and expected output; bf16 stored as uint16 bits",
        "count": len(index_cases),
        "operator_cases": len(operator),
        "expanded_cases": len(expanded),
        "cases": index_cases,
    }
    files["index.json"] = index_json(index).encode()

    written = sync(out_dir, files)
    print(f"export_onnx_cases: {len(index_cases)} cases ({len(operator)} operator, {len(expanded)} expanded, "
          f"every expanded case identical to its twin), {len(files)} files, {written} rewritten, in {out_dir}")
    print("export_onnx_cases: cases asking for qk_matmul_output in mode 0 with a softcap: "
          + (", ".join(mode0_softcap) if mode0_softcap else "none"))
    return 0


def index_json(index: dict) -> str:
    """JSON with one case per line: small, and a diff shows which cases changed."""
    head = {k: v for k, v in index.items() if k != "cases"}
    lines = [f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}," for k, v in sorted(head.items())]
    cases = [" " + json.dumps(c, sort_keys=True, separators=(",", ":")) for c in index["cases"]]
    return "{\n" + "\n".join(lines) + '\n "cases": [\n' + ",\n".join(cases) + "\n ]\n}\n"


def sync(out_dir: Path, files: dict[str, bytes]) -> int:
    """Makes out_dir hold exactly `files`; rewrites only what changed (stable mtimes, clean diffs)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, data in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.read_bytes() == data:
            continue
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    wanted = {out_dir / rel for rel in files}
    wanted_dirs = {p.parent for p in wanted}
    for path in sorted(out_dir.rglob("*"), reverse=True):  # children before their directories
        if path.is_dir():
            if path not in wanted_dirs and path != out_dir:
                shutil.rmtree(path)
        elif path not in wanted:
            path.unlink()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=repo_root() / "tests" / "conformance" / "onnx",
                        help="output directory (default: tests/conformance/onnx)")
    args = parser.parse_args()
    return export(args.out)


if __name__ == "__main__":
    sys.exit(main())
