"""Shared fixtures of the Python tests: torch when it is importable (the live comparison),
hypothesis profiles, and the largest error seen against torch per dtype (printed at the end)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# "ci" (scripts/test.sh) keeps the run short; "thorough" for a long local run.
settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("MHA_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

try:
    import torch  # noqa: F401

    HAVE_TORCH = True
except ImportError:  # CI installs no torch: the golden files stand in for it
    torch = None
    HAVE_TORCH = False

GOLDEN = Path(__file__).parent / "golden"

# dtype -> (largest |mha - torch|, its tolerance, the case), filled by the torch comparisons.
ERRORS_VS_TORCH: dict = defaultdict(lambda: (0.0, 0.0, ""))


def record_vs_torch(kind: str, dtype: str, err: float, tol: float, case: str) -> None:
    key = f"{kind} {dtype}"
    if err >= ERRORS_VS_TORCH[key][0]:
        ERRORS_VS_TORCH[key] = (err, tol, case)


requires_torch = pytest.mark.skipif(not HAVE_TORCH, reason="torch is not importable (the golden tests compare with torch's numbers)")


def pytest_terminal_summary(terminalreporter):
    if not ERRORS_VS_TORCH:
        return
    terminalreporter.section("largest error against torch, per comparison and dtype")
    for key in sorted(ERRORS_VS_TORCH):
        err, tol, case = ERRORS_VS_TORCH[key]
        terminalreporter.write_line(f"{key:28s} max |mha - torch| = {err:.3e}  (tolerance there {tol:.3e})  {case}")
