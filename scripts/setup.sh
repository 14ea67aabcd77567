#!/usr/bin/env bash
# Installs what mha's build and tests need on Debian 12 (bookworm): Debian packages through apt,
# only those that are missing. Non-interactive, safe to run any number of times; when everything
# is there it touches nothing and needs no network.
#
#   scripts/setup.sh          (as root, or as a user with sudo)
#
# To add a dependency, add one line to APT_PACKAGES (or PIP_PACKAGES) below.
set -euo pipefail

# Debian packages, one per line.
APT_PACKAGES=(
  build-essential    # g++, make, libc headers
  g++                # GCC 12: C++20, OpenMP (libgomp)
  cmake              # >= 3.25 for the presets (bookworm: 3.25.1)
  ninja-build        # the presets' generator
  libgtest-dev       # GoogleTest
  libgmock-dev       # GoogleMock
  libcli11-dev       # the mha tool's command line
  nlohmann-json3-dev # JSON (index files, model config)
  clang-14           # the asan preset's compiler: libFuzzer needs clang
  libclang-rt-14-dev # clang's sanitizer and libFuzzer runtimes
  libomp-14-dev      # OpenMP for clang
  libopenblas-dev    # the module's projections (CBLAS sgemm)
  libutf8proc-dev    # Unicode for the tokenizer (NFD, categories)
  libpng-dev         # PNG heatmaps
  pkg-config         # finds utf8proc
  chromium           # the browser test opens attention.html in headless Chromium...
  chromium-driver    # ...driven through WebDriver
  python3            # scripts
  python3-venv       # the project venv below, and the Python package's test venv (test.sh)
  python3-dev        # Python headers: the package's extension module (nanobind)
)

# PyPI packages for the project venv (.venv, or $MHA_VENV), one per line, pinned. The ONNX,
# torch and tokenizer goldens are generated once and committed (scripts/requirements-golden.txt);
# the tests themselves need only these.
PIP_PACKAGES=(
  selenium==4.51.0   # drives Chromium in the browser test (tests/viz)
)

export DEBIAN_FRONTEND=noninteractive
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MHA_VENV:-$REPO/.venv}"

log() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo --preserve-env=DEBIAN_FRONTEND "$@"
  else
    echo "setup: '$*' needs root (run as root or install sudo)" >&2
    exit 1
  fi
}

installed() {  # dpkg knows the package and it is fully installed (not just its config files)
  # (grep reads to the end: with pipefail, an early exit could fail dpkg with SIGPIPE)
  dpkg -s "$1" 2>/dev/null | grep '^Status: install ok installed$' >/dev/null
}

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no dpkg/apt-get: this script is for Debian 12; install by hand: ${APT_PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  as_root apt-get update -q
  as_root apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
else
  log "Debian packages: all ${#APT_PACKAGES[@]} present"
fi

if ((${#PIP_PACKAGES[@]})); then
  # pip runs only when the list changed since the last run: a stamp holds the installed list.
  stamp="$VENV/.mha-setup-packages"
  want="$(printf '%s\n' "${PIP_PACKAGES[@]}")"
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "pip installing ${PIP_PACKAGES[*]} into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
    printf '%s\n' "$want" >"$stamp"
  else
    log "PyPI packages: all ${#PIP_PACKAGES[@]} present in $VENV"
  fi
fi
