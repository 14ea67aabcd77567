"""mha: multi-head attention on fast CPU kernels, for NumPy arrays and PyTorch CPU tensors.

- scaled_dot_product_attention: torch.nn.functional.scaled_dot_product_attention's semantics
- attention: the ONNX Attention operator (KV cache, GQA, softcap, windows, qk_matmul_output)
- MultiheadAttention: torch.nn.MultiheadAttention's interface (from_torch copies a module),
  plus num_kv_heads
- Model: a pretrained sentence encoder (all-MiniLM-L6-v2): tokenize, embed, attentions, explain
- set_num_threads, num_threads, info

Inputs: NumPy arrays or torch CPU tensors of float32, float16, bfloat16 (torch) or float64;
results are of the same kind. Contiguous and other non-negatively strided inputs are read in
place, without a copy. Library errors raise ValueError (TypeError for dtypes) with mha's message.
"""

from __future__ import annotations

import os

from . import _core
from ._functional import AttentionResult, attention, scaled_dot_product_attention
from ._model import Model, Tokens
from ._module import MultiheadAttention

__version__: str = _core.__version__
__all__ = [
    "AttentionResult",
    "Model",
    "MultiheadAttention",
    "Tokens",
    "attention",
    "info",
    "num_threads",
    "scaled_dot_product_attention",
    "set_num_threads",
]

_threads_set = False


def set_num_threads(n: int) -> None:
    """Threads for mha's parallel loops in this process (n >= 1); overrides MHA_NUM_THREADS."""
    global _threads_set
    _core.set_num_threads(int(n))
    _threads_set = True


def num_threads() -> int:
    """Threads mha's parallel loops use."""
    return _core.num_threads()


def _threads_note() -> str:
    if _threads_set:
        return "from mha.set_num_threads"
    env = os.environ.get("MHA_NUM_THREADS")
    if env is None:
        return "every hardware thread; set MHA_NUM_THREADS or call mha.set_num_threads to change"
    if env == str(_core.num_threads()):
        return "from MHA_NUM_THREADS"
    return f'MHA_NUM_THREADS="{env}" ignored: not an integer in 1..4096; using every hardware thread'


def info() -> str:
    """The machine and the build as mha sees them (what `mha info` prints): version, CPU and its
    vector features, threads, the attention backend, the compiler."""
    return _core.info_report(_threads_note())
