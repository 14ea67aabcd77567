"""mha.Model on the real all-MiniLM-L6-v2 (scripts/fetch_model.sh); skipped when it is absent.
Its numbers are checked against sentence-transformers by the C++ tests (tests/model); here: the
Python surface, and agreement with those C++ results' properties."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import mha

MODEL_DIR = Path(os.environ.get("MHA_MODEL_DIR") or Path(__file__).resolve().parents[2] / "models/all-MiniLM-L6-v2")
pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"no model in {MODEL_DIR} (scripts/fetch_model.sh fetches it)")


@pytest.fixture(scope="module")
def model():
    return mha.Model.load(MODEL_DIR)


def test_tokenize(model):
    t = model.tokenize("Hello, world!")
    assert t.ids == [101, 7592, 1010, 2088, 999, 102]
    assert t.tokens == ["[CLS]", "hello", ",", "world", "!", "[SEP]"]
    assert t.offsets[1] == (0, 5)


def test_embed_unit_length_and_similarity(model):
    e = model.embed(["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell."])
    assert e.shape == (3, 384) and e.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    sim = e @ e.T
    assert sim[0, 1] > sim[0, 2]
    one = model.embed("A man is eating food.")
    np.testing.assert_allclose(one, e[0], atol=1e-5)


def test_attentions_rows_sum_to_one(model):
    a = model.attentions("The quick brown fox jumps over the lazy dog.")
    S = len(model.tokenize("The quick brown fox jumps over the lazy dog.").ids)
    assert a.shape == (6, 12, S, S)
    np.testing.assert_allclose(a.sum(-1), 1.0, atol=1e-5)


def test_explain_writes_page_and_images(model, tmp_path):
    r = model.explain("The quick brown fox jumps over the lazy dog.", out=tmp_path / "attention.html")
    assert Path(r["html"]).stat().st_size > 10_000
    assert [Path(p).name for p in r["images"]] == [
        "attention_layer5_head11.png", "attention_layer5_head11.svg", "attention_grid.png", "attention_grid.svg"]
    assert len(r["head_summaries"]) == 6 * 12
    with pytest.raises(ValueError, match=r"argument 'layer': expected 0..5"):
        model.explain("a b", out=tmp_path / "x.html", layer=6)


def test_default_directory_and_missing_directory(tmp_path):
    default = Path(mha._core.default_model_dir())
    if default.exists():
        assert mha.Model.load().directory == default
    else:  # e.g. a wheel built from an sdist: its source tree is gone; the message says so
        with pytest.raises(ValueError, match="fetch_model.sh"):
            mha.Model.load()
    with pytest.raises(ValueError, match=str(tmp_path / "nowhere")):
        mha.Model.load(tmp_path / "nowhere")


def test_model_from_threads(model):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"sentence number {i} about attention" for i in range(8)]
    serial = model.embed(texts)
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(model.embed, texts))
    np.testing.assert_allclose(np.stack(parallel), serial, atol=1e-6)
