"""mha.Model: the pretrained encoder (all-MiniLM-L6-v2 and its kind) and its tokenizer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core


class Tokens(NamedTuple):
    """A tokenized text: ids ([CLS] … [SEP]), the vocabulary entries, and each token's
    [begin, end) byte offsets into the UTF-8 text ((0, 0) for [CLS]/[SEP])."""

    ids: List[int]
    tokens: List[str]
    offsets: List[Tuple[int, int]]


class Model:
    """A BERT-family sentence encoder run on mha's attention (see include/mha/model.hpp).

    Model.load(path=None) reads config.json, model.safetensors (memory-mapped) and vocab.txt
    from `path`, by default the C++ library's default: $MHA_MODEL_DIR when set, else
    models/all-MiniLM-L6-v2 in the source tree the package was built from (where
    scripts/fetch_model.sh puts it). Errors (a missing or damaged file) raise ValueError with
    the library's message. A Model may be used from several threads at once; the GIL is
    released while it computes.
    """

    def __init__(self, core: Any, tokenizer: Any) -> None:
        self._core = core
        self._tokenizer = tokenizer

    @classmethod
    def load(cls, path: Optional[Union[str, os.PathLike]] = None) -> "Model":
        directory = Path(path) if path is not None else Path(_core.default_model_dir())
        core = _core.Model.load(directory)
        tokenizer = _core.WordPiece.load(directory / "vocab.txt")
        return cls(core, tokenizer)

    @property
    def directory(self) -> Path:
        return Path(self._core.directory)

    @property
    def name(self) -> str:
        return Path(os.path.abspath(self.directory)).name

    @property
    def config(self) -> Dict[str, Any]:
        """config.json's fields the encoder uses (hidden_size, num_hidden_layers, ...)."""
        return self._core.config

    @property
    def max_seq_length(self) -> int:
        """The most tokens a text keeps ([CLS] and [SEP] included); longer texts lose their end."""
        return self._core.max_seq_length

    def tokenize(self, text: str) -> Tokens:
        """The tokens the model reads for `text`: [CLS] … [SEP], at most max_seq_length of them."""
        if not isinstance(text, str):
            raise TypeError(f"Model.tokenize: argument 'text': expected str, got {type(text).__name__}")
        ids, tokens, offsets = self._tokenizer.encode(text, max_length=self.max_seq_length)
        return Tokens(list(ids), list(tokens), [tuple(o) for o in offsets])

    def embed(self, texts: Union[str, Sequence[str]], batch_size: int = 32) -> np.ndarray:
        """Sentence embeddings as sentence-transformers computes them (mean pooling, then unit
        length): float32 [N, E] for a list of N texts, [E] for one str."""
        single = isinstance(texts, str)
        batch = [texts] if single else list(texts)
        for i, t in enumerate(batch):
            if not isinstance(t, str):
                raise TypeError(f"Model.embed: argument 'texts': expected str items, got {type(t).__name__} at index {i}")
        e = self._core.embed([self.tokenize(t).ids for t in batch], int(batch_size))
        return e[0] if single else e

    def attentions(self, text: str) -> np.ndarray:
        """Every head's attention probabilities on `text`: float32 [layers, H, S, S], S tokens of
        tokenize(text); [l, h, i, j] is how much token i attends to token j (rows sum to 1)."""
        return self._core.attentions(self.tokenize(text).ids)

    def explain(
        self,
        text: str,
        out: Union[str, os.PathLike] = "attention.html",
        layer: Optional[int] = None,
        head: Optional[int] = None,
        images: bool = True,
    ) -> Dict[str, Any]:
        """Writes what `mha explain` writes for `text`: the self-contained page `out` (head view,
        model view, a line per head) and, with images, PNG and SVG heatmaps beside it
        (<stem>_layer<L>_head<H>.png/.svg for one head, default the last layer and head, and
        <stem>_grid.png/.svg for every head). Returns {"html", "images", "head_summaries",
        "layer", "head"}. The CLI's six-step panel is not on this page."""
        t = self.tokenize(text)
        if len(t.ids) <= 2:
            raise ValueError(f"Model.explain: argument 'text': expected words to attend to, got {text!r} (no tokens)")
        return _core.explain(self._core, t.tokens, t.ids, text, Path(out), layer, head, bool(images))

    def __repr__(self) -> str:
        c = self.config
        return (f"Model({self.name!r}: {c['num_hidden_layers']} layers x "
                f"{c['num_attention_heads']} heads, hidden {c['hidden_size']})")
