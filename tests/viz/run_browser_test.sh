#!/bin/sh
# run_browser_test.sh PYTHON SCRIPT ARGS...: runs the browser test with PYTHON, or with
# $MHA_BROWSER_PYTHON when that is set. A missing interpreter fails the test with what to do,
# or skips it (exit 77, ctest's SKIP_RETURN_CODE) when MHA_SKIP_BROWSER_TESTS=1.
python=${MHA_BROWSER_PYTHON:-$1}
shift
if [ ! -x "$python" ]; then
  if [ "${MHA_SKIP_BROWSER_TESTS:-0}" = 1 ]; then
    echo "viz.browser: skipped (MHA_SKIP_BROWSER_TESTS=1): no Python at $python"
    exit 77
  fi
  echo "viz.browser: FAILED: no Python interpreter at $python." >&2
  echo "  Run scripts/setup.sh (it creates .venv with selenium), or point MHA_BROWSER_PYTHON" >&2
  echo "  (CMake cache or environment) at a Python with selenium; set MHA_SKIP_BROWSER_TESTS=1" >&2
  echo "  to skip the browser tests on a machine without Chromium." >&2
  exit 1
fi
exec "$python" "$@"
