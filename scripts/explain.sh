#!/usr/bin/env bash
# The main job: build mha (release preset), fetch the pretrained all-MiniLM-L6-v2, and show
# multi-head attention in it step by step.
#
#   scripts/explain.sh                          # the default sentence
#   scripts/explain.sh "The cat sat on the mat."
#   scripts/explain.sh --layer 2 --head 5       # another layer and head (default: the last)
#   scripts/explain.sh --help                   # every option of `mha explain`
#
# Installs what is missing (scripts/setup.sh), configures and builds build/release, fetches the
# model when it is not already there (scripts/fetch_model.sh: checksummed, a no-op the second
# time), then runs `build/release/mha explain` with the arguments given, in the directory this
# script was called from: attention.html and the PNG/SVG heatmaps are written there. Set-up,
# build and fetch messages go to stderr, so stdout is the explanation alone.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

jobs="${MHA_JOBS:-$(nproc)}"
(
  cd "$repo"
  scripts/setup.sh
  cmake --preset release
  cmake --build --preset release --parallel "$jobs"
  scripts/fetch_model.sh
) >&2

exec "$repo/build/release/mha" explain "$@"
