"""Arrays in and out: NumPy arrays and PyTorch CPU tensors, checked and handed to mha._core.

mha reads an input where it lies (DLPack or the buffer protocol, through nanobind) whenever its
strides are non-negative, contiguous or not; only a NumPy array with a negative stride
(``a[::-1]``), a non-native byte order or an unaligned buffer is copied first. Results are
allocated here as the caller's kind of array (a torch tensor for torch inputs, else a NumPy
array) and mha writes into them.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence, Tuple

import numpy as np

# Element types mha computes with (inputs: they are loaded into float32, accumulation is float32
# or wider, and the result is rounded once to the query's type).
FLOAT_NAMES = ("float32", "float16", "bfloat16", "float64")


def _torch() -> Any:
    """torch when the caller has imported it (an input cannot be a tensor otherwise)."""
    return sys.modules.get("torch")


def is_torch(x: Any) -> bool:
    torch = _torch()
    return torch is not None and isinstance(x, torch.Tensor)


def dtype_name(x: Any) -> str:
    """'float32', 'bfloat16', 'bool', ... for a NumPy array or a torch tensor."""
    if is_torch(x):
        return str(x.dtype).replace("torch.", "")
    return str(x.dtype)


def framework_of(*arrays: Any) -> str:
    """'torch' when any array is a torch tensor, else 'numpy'."""
    return "torch" if any(is_torch(a) for a in arrays if a is not None) else "numpy"


def prepare(x: Any, name: str, kinds: Sequence[str] = FLOAT_NAMES, where: str = "mha") -> Any:
    """x as an array mha._core reads in place; TypeError for a wrong type, device or dtype."""
    if is_torch(x):
        if x.device.type != "cpu":
            raise TypeError(
                f"{where}: argument '{name}': expected a CPU tensor, got a tensor on device "
                f"'{x.device}' (mha has no GPU backend yet: pass {name}.cpu())"
            )
        if x.requires_grad:
            x = x.detach()  # mha computes no gradients; DLPack refuses tensors that need one
        if x.is_conj() or x.is_neg():
            x = x.resolve_conj().resolve_neg()
    elif isinstance(x, np.ndarray):
        if any(s < 0 for s in x.strides) or not x.dtype.isnative or not x.flags.aligned:
            x = np.ascontiguousarray(x, dtype=x.dtype.newbyteorder("="))
    elif isinstance(x, (list, tuple, int, float, bool, np.generic)):
        x = np.asarray(x)
    else:
        raise TypeError(
            f"{where}: argument '{name}': expected a NumPy array or a torch CPU tensor, "
            f"got {type(x).__module__}.{type(x).__qualname__}"
        )
    if dtype_name(x) not in kinds:
        raise TypeError(
            f"{where}: argument '{name}': expected dtype {' or '.join(kinds)}, got {dtype_name(x)}"
        )
    return x


def optional(x: Optional[Any], name: str, kinds: Sequence[str] = FLOAT_NAMES, where: str = "mha") -> Any:
    return None if x is None else prepare(x, name, kinds, where)


def empty(shape: Sequence[int], like: Any) -> Any:
    """An uninitialized array of `like`'s kind and dtype."""
    if is_torch(like):
        return _torch().empty(tuple(shape), dtype=like.dtype)
    return np.empty(tuple(shape), dtype=like.dtype)


def broadcast_to(x: Any, shape: Tuple[int, ...]) -> Any:
    """A view of x broadcast to `shape` (zero strides, no copy)."""
    if is_torch(x):
        return x.expand(shape)
    return np.broadcast_to(x, shape)


def reshape(x: Any, shape: Tuple[int, ...]) -> Any:
    """x reshaped: a view when the strides allow it, else a copy (as NumPy and torch do)."""
    return x.reshape(shape)


def to_numpy_float(x: Any) -> np.ndarray:
    """A float32 NumPy copy (for the dropout path, which works in NumPy)."""
    if is_torch(x):
        return x.detach().float().numpy()
    return np.asarray(x, dtype=np.float32)


def from_numpy(x: np.ndarray, like: Any) -> Any:
    """x converted to `like`'s kind and dtype."""
    if is_torch(like):
        return _torch().from_numpy(np.ascontiguousarray(x)).to(like.dtype)
    return x.astype(like.dtype)


def cast_like(x: Any, like: Any) -> Any:
    """x in `like`'s dtype (x is already `like`'s kind); x itself when the dtype matches."""
    if x is None or x.dtype == like.dtype:
        return x
    return x.to(like.dtype) if is_torch(x) else x.astype(like.dtype)
