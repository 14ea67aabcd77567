#!/usr/bin/env python3
"""Writes a tiny BERT model and its golden outputs, for the model tests that need no real weights.

tests/model/tiny/           a model directory in the layout of all-MiniLM-L6-v2: config.json,
                            vocab.txt, model.safetensors (the same tensor names, with the
                            embeddings.position_ids buffer and the pooler), 1_Pooling/config.json,
                            sentence_bert_config.json. 2 layers, 2 heads of 6, hidden 12,
                            intermediate 20, 35 tokens, 16 positions.
tests/model/tiny_golden/    transformers' BertModel on a few token-id sequences:
  index.json                the cases: token ids, token type ids, and the files below
  <case>_hidden_f64.npy     last_hidden_state [S, 12], computed in float64 (the exact answer
                            to compare against)
  <case>_hidden_f32.npy     the same computed in float32 by torch (to measure how far an f32
                            implementation lands from the exact answer)
  <case>_attn_f64.npy, <case>_attn_f32.npy   attentions [layers, heads, S, S]
  <case>_embedding_f64.npy, <case>_embedding_f32.npy  mean pooling + L2 normalization [12]

Weights: every parameter is drawn from one seeded generator with scales chosen so the model is
not degenerate: the query/key weights are large enough that attention is far from uniform, the
LayerNorm gains and biases are not 1 and 0, and GELU sees inputs on both sides of 0.

Deterministic: fixed seed, torch on one thread, np.save writes no timestamps, the safetensors
writer sorts its tensors; re-running gives byte-identical files.

Usage (from the repository root):
  /work/pyenv/bin/python scripts/make_tiny_model.py [--out tests/model]
Versions: scripts/requirements-golden.txt (torch, transformers, safetensors, numpy).
"""
import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

SEED = 20240611
FORMAT_VERSION = 1

VOCAB = (["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] +
         ["the", "quick", "brown", "fox", "jump", "##s", "over", "lazy", "dog", ".", ",", "a", "cat",
          "sat", "on", "mat", "!", "?", "attention", "head", "##ing", "look", "at", "every", "word",
          "token", "is", "all", "you", "need"])
CONFIG = {
    "architectures": ["BertModel"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 12,
    "initializer_range": 0.02,
    "intermediate_size": 20,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 16,
    "model_type": "bert",
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "type_vocab_size": 2,
    "vocab_size": len(VOCAB),
}


def ids(*words):
    return [VOCAB.index(w) for w in words]


# (name, token ids, token type ids or None): lengths 1 to the full 16 positions, one pair of
# segments, repeated tokens.
CASES = [
    ("fox", ids("[CLS]", "the", "quick", "brown", "fox", "jump", "##s", "over", "the", "lazy", "dog", ".", "[SEP]"), None),
    ("short", ids("[CLS]", "cat", "[SEP]"), None),
    ("one_token", ids("[CLS]"), None),
    ("pair", ids("[CLS]", "a", "cat", "sat", "[SEP]", "on", "a", "mat", "[SEP]"), [0, 0, 0, 0, 0, 1, 1, 1, 1]),
    ("full_length", ids("[CLS]", "attention", "is", "all", "you", "need", ",", "look", "at", "every", "word",
                        "token", "head", "##ing", "!", "[SEP]"), None),
    ("unknown_and_repeats", ids("[CLS]", "[UNK]", "dog", "dog", "dog", "?", "[SEP]"), None),
]


def init_weights(model, g):
    """Draws every parameter from `g` (scales in the module docstring)."""
    for name, p in model.named_parameters():
        with torch.no_grad():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.3 * torch.randn(p.shape, generator=g, dtype=torch.float64))
            elif name.endswith("bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g, dtype=torch.float64))
            elif "embeddings" in name:
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
            else:  # Linear [out, in]: a gain of 2 over the fan-in keeps the activations lively
                p.copy_(2.0 * torch.randn(p.shape, generator=g, dtype=torch.float64) / p.shape[1] ** 0.5)


def run(model, token_ids, type_ids, dtype):
    m = model.to(dtype)
    inp = torch.tensor([token_ids])
    types = torch.tensor([type_ids]) if type_ids is not None else torch.zeros_like(inp)
    with torch.no_grad():
        out = m(input_ids=inp, token_type_ids=types, attention_mask=torch.ones_like(inp), output_attentions=True)
    hidden = out.last_hidden_state[0]                               # [S, E]
    attn = torch.stack([a[0] for a in out.attentions])               # [layers, heads, S, S]
    mean = hidden.mean(dim=0)                                        # every token is real
    emb = torch.nn.functional.normalize(mean, p=2, dim=0)            # sentence-transformers' Normalize
    return hidden, attn, emb


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="tests/model", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    model_dir, golden_dir = args.out / "tiny", args.out / "tiny_golden"
    for d in (model_dir, golden_dir):
        shutil.rmtree(d, ignore_errors=True)
    (model_dir / "1_Pooling").mkdir(parents=True)
    golden_dir.mkdir(parents=True)

    config = BertConfig(**CONFIG, attn_implementation="eager")  # eager: the attention probabilities exist
    model = BertModel(config, add_pooling_layer=True).eval()
    init_weights(model, torch.Generator().manual_seed(SEED))

    # The same tensor names and dtypes as all-MiniLM-L6-v2's model.safetensors, buffer included.
    state = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    state["embeddings.position_ids"] = torch.arange(CONFIG["max_position_embeddings"], dtype=torch.int64)[None]
    save_file(state, str(model_dir / "model.safetensors"), metadata={"format": "pt"})
    (model_dir / "config.json").write_text(json.dumps(CONFIG, indent=2, sort_keys=True) + "\n")
    (model_dir / "vocab.txt").write_text("".join(w + "\n" for w in VOCAB))
    (model_dir / "1_Pooling" / "config.json").write_text(json.dumps({
        "word_embedding_dimension": CONFIG["hidden_size"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False}, indent=2) + "\n")
    (model_dir / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": 12, "do_lower_case": False}, indent=2) + "\n")

    # The weights as stored (rounded to f32), run in both precisions.
    model.load_state_dict({k: v for k, v in state.items() if k in model.state_dict()})
    index = {"format_version": FORMAT_VERSION, "seed": SEED, "torch": torch.__version__, "cases": []}
    for name, token_ids, type_ids in CASES:
        entry = {"name": name, "token_ids": token_ids, "token_type_ids": type_ids}
        for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
            hidden, attn, emb = run(model, token_ids, type_ids, dtype)
            for what, t in (("hidden", hidden), ("attn", attn), ("embedding", emb)):
                fname = f"{name}_{what}_{tag}.npy"
                np.save(golden_dir / fname, t.numpy(), allow_pickle=False)
                entry[f"{what}_{tag}"] = fname
        index["cases"].append(entry)
    (golden_dir / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    size = sum(f.stat().st_size for d in (model_dir, golden_dir) for f in d.rglob("*") if f.is_file())
    print(f"wrote {model_dir} and {golden_dir} ({len(CASES)} cases, {size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
