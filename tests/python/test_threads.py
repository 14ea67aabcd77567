"""Several Python threads calling one module (and the functions) at once: the GIL is released
while mha computes, and every result equals the serial one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import mha


def test_one_module_from_many_threads():
    m = mha.MultiheadAttention(32, 4, batch_first=True).eval()
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((2, 16, 32)).astype(np.float32) for _ in range(16)]
    serial = [m(x, x, x, average_attn_weights=False) for x in xs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda x: m(x, x, x, average_attn_weights=False), xs))
    for (y1, w1), (y2, w2) in zip(serial, parallel):
        np.testing.assert_array_equal(y1, y2)
        np.testing.assert_array_equal(w1, w2)


def test_sdpa_from_many_threads():
    rng = np.random.default_rng(6)
    cases = [tuple(rng.standard_normal((2, 4, 32, 16)).astype(np.float32) for _ in range(3)) for _ in range(12)]
    serial = [mha.scaled_dot_product_attention(*c, is_causal=True) for c in cases]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(lambda c: mha.scaled_dot_product_attention(*c, is_causal=True), cases))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
