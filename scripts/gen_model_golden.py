#!/usr/bin/env python3
"""Writes the all-MiniLM-L6-v2 parity data for tests/model/minilm_parity_test.cpp.

tests/model/minilm_golden/
  index.json           the sentences, their token ids (sentence-transformers' tokenizer, so the
                       C++ test needs no tokenizer), versions, the model's checksum, file names
  embeddings_f32.npy   [N, 384] sentence-transformers' encode() (mean pooling, normalize), f32:
                       the answer mha must match (cosine >= 0.99999, max |diff| <= 1e-5)
  embeddings_f64.npy   [N, 384] the same pipeline run in float64: the exact answer, to show how
                       far each f32 implementation lands from it
  attn_<k>.npy         [6, 12, S, S] transformers' BertModel (eager attention,
                       output_attentions=True) on sentence k alone, f32

The sentences: hand-written ones covering what a tokenizer and an encoder meet (a single word,
the empty string, punctuation, numbers, accents, CJK, emoji, code, a URL, repetition, a text
longer than the 256 tokens sentence-transformers keeps), plus sentences of random vocabulary
words drawn with a fixed seed.

Deterministic: fixed seed, torch on one thread, np.save writes no timestamps; re-running gives
byte-identical files.

Usage (from the repository root, after scripts/fetch_model.sh):
  /work/pyenv/bin/python scripts/gen_model_golden.py [--model-dir models/all-MiniLM-L6-v2]
Versions: scripts/requirements-golden.txt.
"""
import argparse
import hashlib
import json
import random
import shutil
from pathlib import Path

import numpy as np
import sentence_transformers
import tokenizers
import torch
import transformers
from sentence_transformers import SentenceTransformer
from transformers import AutoModel

SEED = 1234
FORMAT_VERSION = 1

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "Attention is all you need.",
    "Multi-head attention lets the model jointly attend to information from different representation subspaces.",
    "hello",
    "",
    "?!",
    "...",
    "Hello, World!",
    "HELLO WORLD",
    "hello world",
    "It's 3:45 p.m. on 2024-06-11, and the temperature is -3.5°C.",
    "Call +1 (555) 010-9999 or e-mail info@example.com.",
    "Visit https://www.example.org/path?query=1&x=y#frag for details.",
    "Café naïve résumé — déjà vu à la carte.",
    "Straße, Größe, Übermut, Ærø, Øresund, Åland.",
    "Москва — столица России.",
    "東京は日本の首都です。",
    "北京是中国的首都。",
    "서울은 한국의 수도입니다.",
    "Emoji time: 😀🎉🚀 and ❤️.",
    "The the the the the the the the.",
    "buffalo buffalo Buffalo buffalo buffalo buffalo Buffalo buffalo",
    "def f(x): return x ** 2  # square",
    "for (int i = 0; i < n; ++i) { sum += a[i] * b[i]; }",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis.",
    "I can't believe it's not butter!",
    "She said, \"Don't go there,\" but he went anyway.",
    "Transformers use self-attention; RNNs use recurrence.",
    "What is the capital of France?",
    "Paris is the capital of France.",
    "The cat sat on the mat.",
    "The mat was sat on by the cat.",
    "A dog.",
    "Dogs are loyal animals that have lived alongside humans for thousands of years.",
    "    leading and trailing spaces    ",
    "tabs\tand\nnewlines\nin one text",
    "1 2 3 4 5 6 7 8 9 10",
    "$100, €200, £300, ¥400",
    "C'est la vie, n'est-ce pas ?",
    "¿Dónde está la biblioteca?",
    " ".join(["Long text repeats this clause to exceed the sequence limit of the model"] * 30),
]


def random_sentences(vocab, n, rng):
    """Sentences of 3 to 40 whole-word vocabulary entries (no [unused], no special tokens)."""
    words = [w for w in vocab if w.isalpha() and not w.startswith("[")]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(3, 40))) for _ in range(n)]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_model(model_dir, sums):
    for line in sums.read_text().splitlines():
        digest, name = line.split(None, 1)
        if sha256(model_dir / name) != digest:
            raise SystemExit(f"{model_dir / name} does not match {sums}; run scripts/fetch_model.sh")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", default="models/all-MiniLM-L6-v2", type=Path)
    ap.add_argument("--out", default="tests/model/minilm_golden", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(1)
    check_model(args.model_dir, Path("scripts/all-MiniLM-L6-v2.sha256"))

    st = SentenceTransformer(str(args.model_dir), device="cpu")
    st.eval()
    vocab = (args.model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    sentences = SENTENCES + random_sentences(vocab, 12, random.Random(SEED))

    features = st.preprocess(sentences)  # exactly what encode() feeds the model (truncated to 256)
    token_ids = [ids[mask.bool()].tolist() for ids, mask in zip(features["input_ids"], features["attention_mask"])]

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    with torch.no_grad():
        emb32 = st.encode(sentences, batch_size=32, convert_to_numpy=True)
        st64 = SentenceTransformer(str(args.model_dir), device="cpu").to(torch.float64).eval()
        emb64 = st64.encode(sentences, batch_size=32, convert_to_tensor=True).double().numpy()
    assert emb32.dtype == np.float32 and emb64.dtype == np.float64, (emb32.dtype, emb64.dtype)
    np.save(args.out / "embeddings_f32.npy", emb32, allow_pickle=False)
    np.save(args.out / "embeddings_f64.npy", emb64, allow_pickle=False)
    err = np.abs(emb32.astype(np.float64) - emb64).max()

    # Every layer's, every head's attention probabilities for a few sentences, each run alone.
    bert = AutoModel.from_pretrained(str(args.model_dir), attn_implementation="eager").eval()
    attention_cases = []
    for k in (0, 11, 22, 36):
        ids = torch.tensor([token_ids[k]])
        with torch.no_grad():
            out = bert(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids),
                       output_attentions=True)
        attn = torch.stack([a[0] for a in out.attentions]).numpy()  # [layers, heads, S, S]
        np.save(args.out / f"attn_{k}.npy", attn, allow_pickle=False)
        attention_cases.append({"sentence": k, "file": f"attn_{k}.npy", "shape": list(attn.shape)})

    index = {
        "format_version": FORMAT_VERSION,
        "seed": SEED,
        "model_sha256": sha256(args.model_dir / "model.safetensors"),
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "sentence_transformers": sentence_transformers.__version__,
                     "tokenizers": tokenizers.__version__},
        "sentence_transformers_f32_vs_f64_max_abs": float(err),
        "embeddings_f32": "embeddings_f32.npy",
        "embeddings_f64": "embeddings_f64.npy",
        "sentences": [{"text": s, "token_ids": t} for s, t in zip(sentences, token_ids)],
        "attentions": attention_cases,
    }
    (args.out / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"wrote {args.out}: {len(sentences)} sentences (lengths {min(map(len, token_ids))}.."
          f"{max(map(len, token_ids))} tokens), {len(attention_cases)} attention cases, {size / 1024:.0f} KiB; "
          f"sentence-transformers f32 vs f64: max |diff| {err:.2e}")


if __name__ == "__main__":
    main()
