"""The package itself: info(), threads, the shipped stubs and py.typed."""

from __future__ import annotations

from pathlib import Path

import mha


def test_info_reports_machine_and_build():
    text = mha.info()
    assert text.startswith(f"mha {mha.__version__}\n")
    for field in ("cpu:", "features:", "threads:", "backend:", "build:"):
        assert f"\n{field}" in text


def test_set_num_threads_is_reported():
    before = mha.num_threads()
    try:
        mha.set_num_threads(1)
        assert mha.num_threads() == 1
        assert "threads:   1 (from mha.set_num_threads)" in mha.info()
    finally:
        mha.set_num_threads(before)


def test_stubs_and_py_typed_ship():
    root = Path(mha.__file__).parent
    assert (root / "py.typed").exists()
    stub = (root / "_core.pyi").read_text()
    assert "def attention(" in stub and "class MultiHeadAttention" in stub
