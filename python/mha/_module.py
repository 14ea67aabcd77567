"""mha.MultiheadAttention: torch.nn.MultiheadAttention's interface on mha::MultiHeadAttention."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np

from . import _arrays as A
from . import _core

_WHERE = "MultiheadAttention"
_MASK_KINDS = ("bool", "float32", "float16", "bfloat16", "float64")


class MultiheadAttention:
    """Multi-head attention with the constructor, forward and results of torch.nn.MultiheadAttention,
    plus grouped key/value heads (``num_kv_heads``, which torch's module lacks).

    Shapes (torch's names; E = embed_dim, H = num_heads): query (L, N, E), key (S, N, kdim),
    value (S, N, vdim); (N, L, E)... with batch_first=True; unbatched (L, E), (S, kdim),
    (S, vdim). forward returns (attn_output, attn_weights): attn_output like query (its dtype and
    kind), attn_weights (N, L, S) averaged over the heads or (N, H, L, S) per head (unbatched:
    without N), in query's dtype, or None when need_weights=False.

    Masks as torch: key_padding_mask (N, S) and attn_mask (L, S) or (N·H, L, S); bool True =
    masked out (ignored), float = added to the scores. is_causal applies the top-left causal
    mask (with or without attn_mask). Rows with every key masked give 0 (torch gives NaN).

    Parameters are float32, or bfloat16 with ``dtype=torch.bfloat16`` / ``"bfloat16"`` (half the
    memory; the projections multiply the rounded weights exactly, in float32 with float32
    activations, so the result is the float32 module's on the rounded weights). They are kept
    under torch's state_dict names (state_dict(), load_state_dict(), and attributes such as
    ``m.in_proj_weight``; NumPy float32 arrays, which hold bfloat16 values exactly); the initial values follow torch's
    initialization scheme with mha's own generator (``seed``), so copy torch's weights with
    from_torch() to get torch's numbers. Like a torch module it starts in training mode:
    dropout > 0 applies until eval(). forward releases the GIL, and one module may be called
    from several threads at once.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: Optional[int] = None,
        vdim: Optional[int] = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        num_kv_heads: Optional[int] = None,
        seed: int = 0,
    ) -> None:
        if device is not None and str(device) != "cpu":
            raise TypeError(f"{_WHERE}: argument 'device': expected None or 'cpu' (mha has no GPU backend yet), got {device!r}")
        weight_dtype = "float32" if dtype is None else str(getattr(dtype, "name", dtype)).replace("torch.", "")
        if weight_dtype not in ("float32", "bfloat16"):
            raise TypeError(f"{_WHERE}: argument 'dtype': expected None, float32 or bfloat16 (the dtype mha keeps the parameters in), got {dtype!r}")
        self._impl = _core.MultiHeadAttention(
            embed_dim=int(embed_dim),
            num_heads=int(num_heads),
            dropout=float(dropout),
            bias=bool(bias),
            add_bias_kv=bool(add_bias_kv),
            add_zero_attn=bool(add_zero_attn),
            kdim=int(kdim or 0),
            vdim=int(vdim or 0),
            batch_first=bool(batch_first),
            num_kv_heads=int(num_kv_heads or 0),
            seed=int(seed),
            weight_dtype=weight_dtype,
        )
        self._impl.training = True

    # ---- torch's attributes ----
    @property
    def embed_dim(self) -> int:
        return self._impl.embed_dim

    @property
    def num_heads(self) -> int:
        return self._impl.num_heads

    @property
    def num_kv_heads(self) -> int:
        return self._impl.num_kv_heads

    @property
    def head_dim(self) -> int:
        return self._impl.head_dim

    @property
    def kdim(self) -> int:
        return self._impl.kdim

    @property
    def vdim(self) -> int:
        return self._impl.vdim

    @property
    def dtype(self) -> str:
        """The dtype the parameters are kept in: "float32" or "bfloat16"."""
        return self._impl.weight_dtype

    @property
    def dropout(self) -> float:
        return self._impl.dropout

    @property
    def batch_first(self) -> bool:
        return self._impl.batch_first

    @property
    def add_zero_attn(self) -> bool:
        return self._impl.add_zero_attn

    @property
    def training(self) -> bool:
        return self._impl.training

    def train(self, mode: bool = True) -> "MultiheadAttention":
        self._impl.training = bool(mode)
        return self

    def eval(self) -> "MultiheadAttention":
        return self.train(False)

    def state_dict(self) -> Dict[str, np.ndarray]:
        """The parameters under torch's names, float32 NumPy copies (bfloat16 parameters exactly)."""
        return self._impl.state_dict()

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> None:
        """Sets parameters from arrays or tensors laid out as torch's state_dict (copied, rounded to
        the module's dtype)."""
        arrays = {name: A.prepare(t, name, where=_WHERE) for name, t in state_dict.items()}
        self._impl.load_state_dict(arrays, allow_partial=not strict)

    def __getattr__(self, name: str) -> Any:
        # in_proj_weight, in_proj_bias, q/k/v_proj_weight, bias_k, bias_v; out_proj.* via state_dict()
        if name.startswith("_"):
            raise AttributeError(name)
        params = self._impl.state_dict()
        if name in params:
            return params[name]
        if name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight",
                    "in_proj_bias", "bias_k", "bias_v"):
            return None
        raise AttributeError(f"'MultiheadAttention' object has no attribute '{name}'")

    @classmethod
    def from_torch(cls, module: Any) -> "MultiheadAttention":
        """A copy of a torch.nn.MultiheadAttention: its configuration, weights (kept in bfloat16 when
        torch's are bfloat16, else float32) and training mode."""
        m = cls(
            module.embed_dim,
            module.num_heads,
            dropout=module.dropout,
            bias=module.in_proj_bias is not None,
            add_bias_kv=module.bias_k is not None,
            add_zero_attn=module.add_zero_attn,
            kdim=module.kdim,
            vdim=module.vdim,
            batch_first=module.batch_first,
            dtype="bfloat16" if str(module.out_proj.weight.dtype) == "torch.bfloat16" else None,
        )
        m.load_state_dict({k: t.detach().cpu().float() for k, t in module.state_dict().items()})
        return m.train(module.training)

    def __repr__(self) -> str:
        kv = f", num_kv_heads={self.num_kv_heads}" if self.num_kv_heads != self.num_heads else ""
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads}{kv}, batch_first={self.batch_first})"

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Optional[Any] = None,
        need_weights: bool = True,
        attn_mask: Optional[Any] = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> Tuple[Any, Optional[Any]]:
        q = A.prepare(query, "query", where=_WHERE)
        k = A.prepare(key, "key", where=_WHERE)
        v = A.prepare(value, "value", where=_WHERE)
        kpm = A.optional(key_padding_mask, "key_padding_mask", _MASK_KINDS, _WHERE)
        am = A.optional(attn_mask, "attn_mask", _MASK_KINDS, _WHERE)
        framework = A.framework_of(q, k, v)
        out, weights = self._impl.forward(
            q, k, v, kpm, bool(need_weights), am, bool(average_attn_weights), bool(is_causal),
            None, framework)
        return out, A.cast_like(weights, q)

    __call__ = forward

    def forward_packed(self, x: Any, lengths: Any, is_causal: bool = False) -> Any:
        """Self-attention over sequences packed back to back without padding (what torch's nested
        tensors hold): x [T, E] holds lengths[0] rows of sequence 0, then lengths[1] rows of
        sequence 1, ...; each sequence attends only to its own rows. Returns [T, E], row for row
        what forward() gives each sequence alone, with no work spent on padding. Needs
        kdim = vdim = embed_dim, no add_bias_kv / add_zero_attn, and eval mode or dropout 0;
        returns no attention weights (use forward with a key_padding_mask for those)."""
        xp = A.prepare(x, "x", where="mha.MultiheadAttention.forward_packed")
        lens = [int(n) for n in (lengths.tolist() if hasattr(lengths, "tolist") else lengths)]
        return A.cast_like(self._impl.forward_packed(xp, lens, bool(is_causal), A.framework_of(xp)), xp)
