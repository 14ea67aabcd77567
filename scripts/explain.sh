#!/usr/bin/env bash
# The main job: build mha (release preset) and show the six steps of multi-head attention.
#
#   scripts/explain.sh                          # the default sentence
#   scripts/explain.sh "The cat sat on the mat."
#   scripts/explain.sh --help                   # every option of `mha explain`
#
# Installs what is missing (scripts/setup.sh), configures and builds build/release, then runs
# `build/release/mha explain` with the arguments given. Set-up and build messages go to stderr,
# so stdout is the explanation alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="${MHA_JOBS:-$(nproc)}"
{
  scripts/setup.sh
  cmake --preset release
  cmake --build --preset release --parallel "$jobs"
} >&2

exec build/release/mha explain "$@"
