#!/usr/bin/env python3
"""Sentence embeddings of all-MiniLM-L6-v2: mha against sentence-transformers and ONNX Runtime.

The same 1,000 sentences, the same thread count, one run: first every system's embeddings are
checked against sentence-transformers' (cosine >= 0.9999 for every sentence), then each system
is timed (median of --reps runs after a warm-up) and the rates and ratios are printed.

    bench/compare_model.py --mha build/release/mha --threads 1 2
    bench/compare_model.py --mha build/release/mha --threads 2 --reps 5 --json /tmp/model.json

The systems, each doing the whole job from text to unit-length embeddings, in batches of
--batch (32) sentences sorted by length as sentence-transformers does:
  mha   `mha embed --file SENTENCES --format npy --out F --time --threads T` in a subprocess;
        the time is the one `--time` prints: tokenizing, encoding, pooling, normalizing
        (loading the model and writing the file are not included — nor are they for the others).
  st    sentence-transformers' SentenceTransformer(model dir, device="cpu").encode(...), torch
        CPU with torch.set_num_threads(T).
  ort   ONNX Runtime on the model's ONNX export (torch.onnx.export of transformers' BertModel,
        opset 17, then onnxruntime.transformers.optimizer: fused Attention, SkipLayerNorm,
        BiasGelu, EmbedLayerNorm), intra-op threads T, inter-op 1; tokenizing with the
        `tokenizers` library (the model's tokenizer.json), mean pooling and normalizing in NumPy.
        The exported files are kept in --work (build/compare_model) and reused.

The sentences: 1,000 English sentences made deterministically (random.Random(2024)) from
templates and word lists below — subjects, verbs, objects, places, clauses — from 3 to about
60 words (2 to ~80 tokens), so that batches of every length occur; `--sentences FILE` uses a
file instead (one per line).
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

REPO = Path(__file__).resolve().parent.parent
MIN_COSINE = 0.9999

# ---- the sentences ---------------------------------------------------------------------------
SUBJECTS = ["the cat", "a young engineer", "my neighbour", "the committee", "a small dog",
            "the old fisherman", "our new teacher", "a group of students", "the pilot",
            "the quick brown fox", "a tired doctor", "the city council", "her brother",
            "the orchestra", "a curious child", "the research team", "the farmer", "a robot"]
VERBS = ["watched", "repaired", "painted", "discussed", "ignored", "carried", "photographed",
         "described", "followed", "celebrated", "measured", "questioned", "built", "found",
         "sold", "cooked", "studied", "jumped over"]
OBJECTS = ["the lazy dog", "a broken bicycle", "the annual budget", "an ancient map",
           "the wooden bridge", "a bowl of soup", "the election results", "a strange noise",
           "the garden fence", "three paintings", "the train schedule", "a red umbrella",
           "the attention weights", "a long letter", "the mountain trail", "a jazz record"]
PLACES = ["in the park", "at the station", "near the river", "after lunch", "during the storm",
          "before sunrise", "in a quiet library", "on the roof", "at the market",
          "inside the museum", "by the sea", "in the kitchen", "on Monday morning"]
CLAUSES = ["because it was raining", "while the others were asleep", "although nobody asked",
           "so that everyone could see it", "as the lights went out", "when the bell rang",
           "even though it was late", "since the road was closed", "until the music stopped",
           "before anyone noticed the mistake"]
ADVERBS = ["quietly", "carefully", "quickly", "again", "reluctantly", "proudly", "twice"]
QUESTIONS = ["Why did {s} leave {o} {p}?", "Has {s} ever {v} {o}?", "Who {v} {o} {p}?"]


def make_sentences(n=1000, seed=2024):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        s, v, o = rnd.choice(SUBJECTS), rnd.choice(VERBS), rnd.choice(OBJECTS)
        kind = rnd.random()
        if kind < 0.1:
            text = rnd.choice(QUESTIONS).format(s=s, v=v, o=o, p=rnd.choice(PLACES))
        elif kind < 0.2:
            text = f"{s} {v} {o}."  # short
        else:
            parts = [s, rnd.choice(ADVERBS) if rnd.random() < 0.3 else None, v, o,
                     rnd.choice(PLACES)]
            text = " ".join(p for p in parts if p)
            # Longer ones: more clauses and a second sentence, up to about 60 words.
            for _ in range(rnd.choice([0, 0, 1, 1, 2, 3, 5])):
                text += ", " + rnd.choice(CLAUSES)
                if rnd.random() < 0.5:
                    text += f", and {rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(OBJECTS)}"
            text += "." if rnd.random() < 0.9 else "!"
            if rnd.random() < 0.15:
                text += f" Then {rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(OBJECTS)} {rnd.choice(PLACES)}."
        out.append(text[0].upper() + text[1:])
    return out


# ---- the systems -----------------------------------------------------------------------------
def run_mha(mha, model_dir, sentences_file, threads, batch, out_npy):
    """One `mha embed` run: (embeddings, seconds it reports)."""
    cmd = [str(mha), "embed", "--file", str(sentences_file), "--format", "npy", "--out",
           str(out_npy), "--time", "--threads", str(threads), "--batch", str(batch), "--model",
           str(model_dir)]
    env = dict(os.environ, MHA_NUM_THREADS=str(threads))
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"compare_model: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    m = re.search(r"sentences in ([0-9.]+) s", r.stderr)
    if not m:
        sys.exit(f"compare_model: no time in mha's stderr:\n{r.stderr}")
    return np.load(out_npy), float(m.group(1))


class SentenceTransformersSystem:
    def __init__(self, model_dir, batch):
        from sentence_transformers import SentenceTransformer
        self.model = SentenceTransformer(str(model_dir), device="cpu")
        self.batch = batch

    def embed(self, sentences):
        return self.model.encode(sentences, batch_size=self.batch, convert_to_numpy=True,
                                 show_progress_bar=False)


def export_onnx(model_dir, work):
    """The optimized ONNX file, exported once into `work` and reused."""
    work.mkdir(parents=True, exist_ok=True)
    raw, opt = work / "all-MiniLM-L6-v2.onnx", work / "all-MiniLM-L6-v2.opt.onnx"
    if opt.exists():
        return opt
    import warnings

    import torch
    from transformers import AutoModel
    warnings.filterwarnings("ignore")  # the exporter's tracer warnings say nothing here
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHidden(torch.nn.Module):  # positional inputs for the exporter
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state

    ids = torch.tensor([[101, 1996, 4248, 102], [101, 1996, 102, 0]])
    dyn = {0: "batch", 1: "sequence"}
    # The TorchScript exporter (dynamo=False): the dynamo one needs onnxscript, not installed.
    torch.onnx.export(LastHidden(bert), (ids, (ids != 0).long(), torch.zeros_like(ids)), str(raw),
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": dyn, "attention_mask": dyn,
                                    "token_type_ids": dyn, "last_hidden_state": dyn})
    from onnxruntime.transformers import optimizer
    o = optimizer.optimize_model(str(raw), model_type="bert", num_heads=12, hidden_size=384)
    print(f"onnx: exported {raw.name}; ORT transformer fusions: "
          f"{ {k: v for k, v in o.get_fused_operator_statistics().items() if v} }")
    o.save_model_to_file(str(opt))
    return opt


class OrtSystem:
    def __init__(self, model_dir, onnx_file, threads, batch, max_length):
        import onnxruntime as ort
        from tokenizers import Tokenizer
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_file), so, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        self.batch = batch

    def embed(self, sentences):
        enc = self.tokenizer.encode_batch(sentences)
        order = sorted(range(len(sentences)), key=lambda i: -len(enc[i].ids))
        out = np.empty((len(sentences), 384), np.float32)
        for start in range(0, len(order), self.batch):
            idx = order[start:start + self.batch]
            S = max(len(enc[i].ids) for i in idx)
            ids = np.zeros((len(idx), S), np.int64)
            mask = np.zeros((len(idx), S), np.int64)
            for r, i in enumerate(idx):
                n = len(enc[i].ids)
                ids[r, :n], mask[r, :n] = enc[i].ids, 1
            h = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


# ---- measuring -------------------------------------------------------------------------------
def min_cosine(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(1).min())


def timed(fn, reps):
    fn()  # warm-up
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mha", type=Path, default=REPO / "build/release/mha")
    ap.add_argument("--model", type=Path, default=REPO / "models/all-MiniLM-L6-v2")
    ap.add_argument("--threads", type=int, nargs="+", default=[2])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--sentences", type=Path, help="one sentence per line (default: generated)")
    ap.add_argument("--work", type=Path, default=REPO / "build/compare_model")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    if not (args.model / "model.safetensors").exists():
        sys.exit(f"compare_model: no model in {args.model}: run scripts/fetch_model.sh")
    if not args.mha.exists():
        sys.exit(f"compare_model: no {args.mha}: build it (cmake --preset release && "
                 "cmake --build --preset release)")

    sentences = (args.sentences.read_text(encoding="utf-8").splitlines() if args.sentences
                 else make_sentences())
    sentences = [s for s in sentences if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    text_file = args.work / "sentences.txt"
    text_file.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    onnx_file = export_onnx(args.model, args.work)

    import torch
    import onnxruntime
    import sentence_transformers
    st = SentenceTransformersSystem(args.model, args.batch)
    lengths = [len(ids) for ids in st.model.tokenizer(sentences)["input_ids"]]
    info = subprocess.run([str(args.mha), "info"], capture_output=True, text=True).stdout
    cpu = re.search(r"^cpu: +(.*)$", info, re.M)
    print(f"{len(sentences)} sentences, {min(lengths)}..{max(lengths)} tokens "
          f"(mean {statistics.mean(lengths):.1f}), batch {args.batch}; "
          f"cpu: {cpu.group(1) if cpu else '?'}")
    print(f"torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
          f"onnxruntime {onnxruntime.__version__}, mha {args.mha}")

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        out_npy = Path(tmp) / "mha.npy"
        for threads in args.threads:
            torch.set_num_threads(threads)
            ort_system = OrtSystem(args.model, onnx_file, threads, args.batch, 256)
            # Validate before timing: every sentence, against sentence-transformers.
            want = st.embed(sentences)
            got_mha, _ = run_mha(args.mha, args.model, text_file, threads, args.batch, out_npy)
            got_ort = ort_system.embed(sentences)
            cos = {"mha": min_cosine(got_mha, want), "ort": min_cosine(got_ort, want)}
            for name, c in cos.items():
                if not c >= MIN_COSINE:
                    sys.exit(f"compare_model: {name} disagrees with sentence-transformers: "
                             f"min cosine {c:.6f} < {MIN_COSINE}")

            mha_times = [run_mha(args.mha, args.model, text_file, threads, args.batch, out_npy)[1]
                         for _ in range(args.reps + 1)][1:]  # the first run is the warm-up
            st_times = timed(lambda: st.embed(sentences), args.reps)
            ort_times = timed(lambda: ort_system.embed(sentences), args.reps)
            rate = {k: len(sentences) / statistics.median(t)
                    for k, t in (("mha", mha_times), ("st", st_times), ("ort", ort_times))}
            spread = {k: (len(sentences) / max(t), len(sentences) / min(t))
                      for k, t in (("mha", mha_times), ("st", st_times), ("ort", ort_times))}
            print(f"\nthreads {threads}: validated, min cosine vs sentence-transformers: "
                  f"mha {cos['mha']:.7f}, ort {cos['ort']:.7f}")
            print(f"  {'system':<24}{'sentences/s':>12}  {'(min..max)':<20}{'mha / system':>12}")
            for key, name in (("mha", "mha embed"), ("st", "sentence-transformers"),
                              ("ort", "onnxruntime (fused)")):
                lo, hi = spread[key]
                print(f"  {name:<24}{rate[key]:>12.1f}  {f'({lo:.1f}..{hi:.1f})':<20}"
                      f"{rate['mha'] / rate[key]:>11.2f}x")
            results.append({"threads": threads, "sentences": len(sentences), "batch": args.batch,
                            "sentences_per_s": rate, "min_cosine": cos,
                            "mha_vs_st": rate["mha"] / rate["st"],
                            "mha_vs_ort": rate["mha"] / rate["ort"]})
    print("\ntargets: mha >= 2x sentence-transformers, >= 1.2x onnxruntime")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
