#!/usr/bin/env bash
# The whole test suite: fetch the pretrained model, then configure, build and run ctest for the
# `release` preset, then for the `asan` preset (AddressSanitizer + UndefinedBehaviorSanitizer),
# then the Python package (`python`: pip installs it into build/python-venv and runs pytest on
# tests/python; the first run compiles the library once more for the extension, a few minutes).
# Prints a summary; exits non-zero if any step failed. A failing preset does not stop the other,
# so the summary is complete.
#
#   scripts/test.sh                 # both presets and the Python package
#   scripts/test.sh release         # one of them (or: python)
#   MHA_JOBS=4 scripts/test.sh      # build and test parallelism (default: nproc)
#   scripts/test.sh release -- -L unit   # extra arguments after -- go to ctest
#   MHA_SKIP_MODEL_FETCH=1 scripts/test.sh   # offline: no fetch; tests that need the model skip
#
# The model (all-MiniLM-L6-v2, scripts/fetch_model.sh) is what the `model` and `cli` tests run
# on; fetching it is a no-op when it is already there with the right checksums. A failed fetch
# is a failed step (those tests then skip, loudly), unless MHA_SKIP_MODEL_FETCH=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

presets=()
ctest_args=()
while (($#)); do
  case "$1" in
    --) shift; ctest_args=("$@"); break ;;
    release | debug | asan | python) presets+=("$1"); shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (presets: release, debug, asan; and python)" >&2; exit 2 ;;
  esac
done
((${#presets[@]})) || presets=(release asan python)
jobs="${MHA_JOBS:-$(nproc)}"

scripts/setup.sh

summary=()
failed=0
started=$SECONDS

step() {  # step <preset> <name> <command...>: runs it, records result and time in the summary
  local preset=$1 name=$2 t0=$SECONDS rc=0
  shift 2
  printf '\n==== %s: %s\n' "$preset" "$name"
  "$@" || rc=$?
  local took=$((SECONDS - t0)) result
  if ((rc == 0)); then result=ok; else result="FAILED (exit $rc)"; failed=1; fi
  summary+=("$(printf '%-8s %-10s %-18s %4ds' "$preset" "$name" "$result" "$took")")
  return $rc
}

run_ctest() {  # run_ctest <preset> <log>: ctest to the terminal and the log; ctest's exit code
  ctest --preset "$1" --parallel "$jobs" --output-junit ctest-junit.xml "${ctest_args[@]}" 2>&1 | tee "$2"
}

if [[ ${MHA_SKIP_MODEL_FETCH:-0} == 1 ]]; then
  summary+=("$(printf '%-8s %-10s %-18s' model fetch 'skipped (MHA_SKIP_MODEL_FETCH=1)')")
else
  step model fetch scripts/fetch_model.sh || true
fi

# The Python package: a venv under build/ (reused, so a second run only rebuilds what changed),
# the pinned build and test requirements (pip runs only when the list changed), the package
# built from this tree without build isolation (incremental, build/python/<wheel tag>), then
# pytest. torch is compared with live when the venv can import it, else through the golden files.
python_venv=build/python-venv
python_setup() {
  [[ -x $python_venv/bin/python ]] || python3 -m venv "$python_venv"
  local stamp=$python_venv/.mha-requirements
  if ! cmp -s scripts/requirements-python.txt "$stamp"; then
    "$python_venv/bin/python" -m pip install -q --disable-pip-version-check -r scripts/requirements-python.txt
    cp scripts/requirements-python.txt "$stamp"
  fi
}
python_install() {
  CMAKE_BUILD_PARALLEL_LEVEL=$jobs "$python_venv/bin/python" -m pip install -q --disable-pip-version-check \
    --no-build-isolation --no-deps --force-reinstall .
}
python_test() {
  "$python_venv/bin/python" -m pytest -q tests/python --junitxml="$python_venv/pytest-junit.xml" \
    -p no:cacheprovider 2>&1 | tee "$python_venv/pytest.log"
}

for preset in "${presets[@]}"; do
  if [[ $preset == python ]]; then
    step python setup python_setup || continue
    step python build python_install || continue
    step python test python_test || true
    if [[ -f $python_venv/pytest.log ]]; then
      counts=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$python_venv/pytest.log" | tail -1 || true)
      [[ -n $counts ]] && summary+=("         pytest: ${counts//=/}")
    fi
    continue
  fi
  log="build/$preset/ctest.log"
  step "$preset" configure cmake --preset "$preset" || continue
  step "$preset" build cmake --build --preset "$preset" --parallel "$jobs" || continue
  # ctest's output goes to the terminal and to build/<preset>/ctest.log; its JUnit report to
  # build/<preset>/ctest-junit.xml for CI.
  step "$preset" test run_ctest "$preset" "$log" || true
  if [[ -f $log ]]; then
    counts=$(grep -E 'tests passed, [0-9]+ tests? failed out of' "$log" | tail -1 || true)
    [[ -n $counts ]] && summary+=("         $counts")
    # The failed tests, as ctest lists them at the end.
    while IFS= read -r line; do summary+=("         $line"); done < <(
      sed -n '/The following tests FAILED:/,/Errors while running CTest/p' "$log" |
        grep -E '^\s+[0-9]+ - ' | sed 's/^\s*/  failed: /' || true)
  fi
  # The ONNX suite's own verdict line ("ONNX conformance: N passed, M failed"), which ctest
  # does not show for a passing test.
  onnx=build/$preset/tests/conformance/mha_onnx_tests
  if [[ -x $onnx ]]; then
    line=$("$onnx" --gtest_filter=OnnxConformance.Summary 2>/dev/null | grep -E '^ONNX conformance:' || true)
    [[ -n $line ]] && summary+=("         $line")
  fi
done

printf '\n==== summary (%ds in all)\n' $((SECONDS - started))
printf '%s\n' "${summary[@]}"
if ((failed)); then
  printf 'RESULT: FAILED\n'
  exit 1
fi
printf 'RESULT: all passed\n'
