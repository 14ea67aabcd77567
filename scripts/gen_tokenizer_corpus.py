#!/usr/bin/env python3
"""Writes tests/text/corpus.txt: the lines the WordPiece tokenizer is checked on.

The corpus is hand-picked lines (every rule of BERT's tokenizer and its known traps) followed by
lines drawn at random from pools of scripts, marks, emoji, punctuation, whitespace, control
characters, numbers, URLs and code. The generator is seeded: re-running writes the same file.

File format (tests/text/corpus_reader.cpp reads it):
  - UTF-8 text, one case per line, lines end with '\\n'; the header lines start with '#'.
  - A case is the line after unescaping: '\\\\' is a backslash, '\\t' '\\n' '\\r' are tab, line feed
    and carriage return, '\\u{X}' is the code point X (1 to 6 hex digits). Everything else is
    literal. Control, format, private-use, unassigned and separator characters (except a
    space between two other characters), U+FFFD, a leading '#' and spaces at either end are
    always written escaped, so the file stays plain text that no editor will alter.

Usage (from the repository root):
  /work/pyenv/bin/python scripts/gen_tokenizer_corpus.py [--out tests/text/corpus.txt] [--seed 2024]
"""
import argparse
import random
import unicodedata
from pathlib import Path

# Hand-picked lines: each names what it checks where that is not obvious.
HAND_PICKED = [
    # Empty and whitespace-only lines.
    "",
    " ",
    "   ",
    "\t",
    "\n",
    " \t\r\n ",
    "\u3000",
    "\u00a0\u2002\u2009",
    # Plain English, sub-words, casing.
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "unaffable",
    "UnAfFaBlE",
    "running jumped easily tokenization",
    "don't I'm you're we've it's y'all o'clock",
    "e.g. i.e. U.S.A. Ph.D.",
    "hello-world well_known snake_case camelCase PascalCase",
    # Accents and combining marks (stripped after NFD).
    "Café crème brûlée à la mode",
    "naïve façade coöperate résumé",
    "Ångström São Paulo Zürich Dvořák Łódź Øresund",
    "İstanbul ıiIİ",
    "ß Straße STRASSE ẞ",
    "Æsir œuvre Œuvre æther",
    "ﬁne ﬂow ﬀ ﬃ",
    "e\u0301 a\u0308\u0304 o\u0302\u0323 n\u0303",
    "Z\u0334\u0321\u0322\u0356\u031f\u032a\u0326\u0313\u033d\u0342A\u0337L\u0338G\u0336O\u0337",
    "\u0301\u0302\u0303 leading marks",
    "a\u20dd b\u20de enclosing marks",
    "Tiếng Việt có dấu: Nguyễn Thị Minh Khai",
    # CJK, Japanese, Korean.
    "我爱北京天安门",
    "中文和English混合的句子。",
    "日本語のテキストです。カタカナとひらがな。",
    "漢字かなカナ交じり文",
    "한국어 텍스트입니다. 안녕하세요!",
    "ＡＢＣ全角ａｂｃ１２３",
    "豈 更 車 CJK compatibility ideographs",
    "\U00020000\U00020001\U0002a6d6 extension B",
    "\U0002b820\U0002b8ff\U0002b920 the extension E start",
    "\U0002f800\U0002fa1d compatibility supplement",
    "㈱ ㍻ ㋿ ㍿",
    "ｶﾀｶﾅ halfwidth",
    # Right-to-left scripts.
    "مرحبا بالعالم",
    "العَرَبِيَّة مع التشكيل",
    "שָׁלוֹם עולם",
    "\u200fright-to-left mark\u200e and \u202eoverride\u202c",
    "١٢٣٤ arabic-indic digits ۱۲۳",
    # More scripts.
    "Привет, мир! ЁЖИК ёжик",
    "ΟΔΟΣ Ελληνικά ΣΊΣΥΦΟΣ σοφός",
    "नमस्ते दुनिया",
    "สวัสดีครับ ภาษาไทย",
    "வணக்கம் உலகம்",
    "গণপ্রজাতন্ত্রী বাংলাদেশ",
    "ქართული ენა",
    "Հայերեն լեզու",
    "አማርኛ ቋንቋ",
    "ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ Cherokee",
    "𐐀𐐨 Deseret 𞤀𞤢 Adlam",
    # Case mappings with traps.
    "ǅ ǈ ǋ ǲ titlecase digraphs",
    "K Ω Å ℌ letterlike",
    "Ⅻ ⅻ ↀ roman numerals",
    "ΐ ΰ ﬓ ŉ",
    "\ua7cb\u1c89\U00010d50\U00016ea0 case pairs new in Unicode 16",
    # Emoji.
    "👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇺🇸🇫🇷 1️⃣ ❤️ ☺",
    "I love it 😀😀😀!!!",
    "🥰 🫠 🦀 🪿 newer emoji",
    "#️⃣ *️⃣ 🧑🏿‍🚀 🫱🏼‍🫲🏾",
    # Punctuation.
    "!!!???...",
    "— – - ‐ ‑ ‒ dashes",
    "«quote» “smart” ‘single’ „low“",
    "¿Qué? ¡Sí!",
    "… ・ ‥ ※",
    "「かぎ」『二重』【括弧】",
    "()[]{}<>",
    "$%^&*+=|~`",
    "@#\\/",
    "§¶†‡•‣",
    "、。，！？；：",
    "a.b,c;d:e!f?g",
    "\u2e52\U0001e95e\u061d\u166d\U000111c9 punctuation by Unicode version",
    # Control characters, format characters and the replacement character.
    "a\x00b",
    "a\x01b\x7fc",
    "\x1b[31mred\x1b[0m",
    "\ufeffbyte order mark",
    "zero\u200bwidth\u200cnon\u200djoiner",
    "soft\u00adhyphen",
    "\ufffd replacement \ufffd",
    "\U000e0041\U000e0042 tags",
    "\ue000\uf8ff\U000f0000\U0010fffd private use",
    "a\u0378b unassigned",
    "\ufffe\uffff\U0001fffe noncharacters",
    "\U0010ffff last code point",
    "\u0890\u08e2\U000110cd\U00013430\U0001343f format characters by Unicode version",
    "\x80\x9f C1 controls",
    # Whitespace of all kinds.
    "a\u2028b\u2029c",
    "a\x85b",
    "a\x0bb\x0cc",
    "a\u1680b\u2000c\u200ad\u202fe\u205ff\u3000g",
    "a\u180eb mongolian vowel separator",
    "a\x1cb\x1dc\x1ed\x1fe",
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "  leading and trailing spaces  ",
    # Long words: 100 characters pass, 101 become [UNK].
    "a" * 100,
    "a" * 101,
    "b" * 99 + "\u0301",
    "é" * 100,
    "é" * 101,
    "한" * 33,
    "한" * 34,
    "supercalifragilisticexpialidocious" * 3,
    "x" * 250 + " tail",
    "https://example.com/" + "very-long-path-segment/" * 8,
    # Numbers.
    "3.14159 2.71828 1e-10 -42 +7",
    "1,000,000 1.000.000 1 000 000",
    "2023-11-26 12:34:56 UTC",
    "$1.5B €20 £3 ¥400 ₹50",
    "½ ¼ ⅓ ² ³ ① ②",
    "0x1F 0b1010 0o17 1_000",
    # URLs, e-mail, paths.
    "https://example.com/path?q=1&r=two#frag",
    "user.name+tag@example.org",
    "www.ABC.co.uk/Index.HTML",
    "C:\\Windows\\System32 /usr/local/bin",
    # Code.
    "def f(x): return x**2",
    "int main() { return 0; }",
    "a->b x != y && z >= 0",
    "std::vector<int> v{1, 2, 3};",
    "// comment /* block */ # hash",
    "SELECT * FROM t WHERE id=1;",
    "<div class=\"a\">hi</div>",
    "{\"key\": [1, 2, {\"nested\": null}]}",
    # Special tokens typed in the text are matched as they are (not lower-cased).
    "[CLS] hello [SEP]",
    "[MASK] is a mask",
    "[cls] [Sep] lower-case is not special",
    "[UNK][PAD][PAD]",
    "x[SEP]y",
    "[ SEP ] [SEP [[SEP]]",
    "[MASK][MASK] [CLS][SEP]",
    "Ünïcödé [SEP] 中文",
    # Marks whose canonical order differs from the text order.
    "x\u0301\U0001d165 y",
    "x\U0001d16d\U0001d165 y",
    "a\u1ac1\u0323 b",
    "\u0f73\u0f71 tibetan",
    "s\u0307\u0323 \u1e0b\u0323",
    "\U00011938 dives akuru",
]

# Pools for the random lines.
WORDS_EN = (
    "the of and to in is was for on that with as by at from his an were are which this be or has "
    "had not but first one their its new after who they have her she two been other when there all "
    "during into school time may years more most only over city some world would where later up "
    "such used many can state about national out known university united then made attention "
    "model transformer tokenizer embedding sequence layer head query key value softmax gradient "
    "unbelievable misunderstanding internationalization antidisestablishmentarianism"
).split()
WORDS_ACCENT = (
    "café naïve résumé über Mädchen Straße señor mañana año crème brûlée jalapeño piñata façade "
    "garçon élève Ørsted Ålesund Kraków Gdańsk žluťoučký kůň čeština Dvořák İzmir Ağrı şeker "
    "Ísland Þór Ægir smörgåsbord déjà-vu São coração ação Tiếng Việt Nguyễn phở"
).split()
WORDS_CYRILLIC = "Привет мир Москва Россия ЁЛКА ёлка Київ Україна Беларусь щука объём".split()
WORDS_GREEK = "Αθήνα ΟΔΟΣ Ελληνικά σοφία ΣΊΣΥΦΟΣ λόγος ψυχή ΰ ΐ ΆΈΉΊΌΎΏ".split()
CJK = "我爱北京天安门中文汉字学习机器翻译模型注意力變換器東京大學"
JAPANESE = "ひらがなカタカナ漢字日本語のテキストですアイウエオーッャュョ"
KOREAN = "한국어텍스트입니다안녕하세요대한민국서울특별시"
ARABIC = ["مرحبا", "العالم", "كتاب", "مدرسة", "العَرَبِيَّة", "سَلَام", "اللغة"]
HEBREW = ["שלום", "עולם", "שָׁלוֹם", "ספר", "ירושלים"]
INDIC = ["नमस्ते", "दुनिया", "हिन्दी", "ভাষা", "தமிழ்", "తెలుగు", "ಕನ್ನಡ", "മലയാളം", "ਪੰਜਾਬੀ"]
OTHER_SCRIPTS = ["สวัสดี", "ภาษาไทย", "ລາວ", "ខ្មែរ", "မြန်မာ", "ქართული", "Հայերեն", "አማርኛ", "ᏣᎳᎩ",
                 "ᠮᠣᠩᠭᠣᠯ", "ܣܘܪܝܝܐ", "ދިވެހި", "ꦗꦮ", "𐌰𐌱𐌲", "𓀀𓁐", "𒀀𒀁"]
EMOJI = ["😀", "😂", "🥰", "🫠", "👍", "👍🏽", "👍🏿", "❤️", "❤", "🔥", "🎉", "🦀", "🪿", "☺", "✨",
         "👨‍👩‍👧‍👦", "👩‍💻", "🧑🏿‍🚀", "🏳️‍🌈", "🏴‍☠️", "🇺🇸", "🇯🇵", "🇫🇷", "1️⃣", "#️⃣", "🫱🏼‍🫲🏾"]
PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("¡¿«»“”‘’„‚‹›…—–‐•·¶§†‡※、。，！？；：「」『』【】〈〉《》・")
COMBINING = [chr(c) for c in list(range(0x300, 0x370)) + list(range(0x1ab0, 0x1acf)) +
             list(range(0x1dc0, 0x1e00)) + list(range(0x20d0, 0x20f1)) + [0x1d165, 0x1d166, 0x1d16d, 0x1d16e]]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f",
          "\u205f", "\u3000", "\u1680", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\u180e"]
CONTROLS = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x9f", "\u200b", "\u200c", "\u200d",
            "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad", "\ufffd", "\ue000", "\U000f0001",
            "\U000e0020", "\u061c", "\u2066", "\u2069", "\u0890", "\U00013430"]
SPECIAL = ["[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "[cls]", "[Sep]", "[SEP"]
TLDS = ["com", "org", "net", "io", "co.uk", "de", "jp"]
CODE = ["if (a < b) { return a; }", "for i in range(10):", "x = y ** 2 + 3 * z", "#include <vector>",
        "printf(\"%d\\n\", n);", "a[i][j] += b[k];", "lambda x: x + 1", "fn main() -> i32 {}",
        "const auto& [k, v] : map", "SELECT name FROM users;", "<p>text</p>", "x >>= 2; y <<= 1;"]


def word(rng):
    """One word from a pool chosen at random, sometimes upper-cased or title-cased."""
    kind = rng.randrange(12)
    if kind < 4:
        w = rng.choice(WORDS_EN)
    elif kind == 4:
        w = rng.choice(WORDS_ACCENT)
    elif kind == 5:
        w = rng.choice(WORDS_CYRILLIC + WORDS_GREEK)
    elif kind == 6:
        w = "".join(rng.choice(CJK) for _ in range(rng.randint(1, 6)))
    elif kind == 7:
        w = "".join(rng.choice(JAPANESE) for _ in range(rng.randint(1, 8)))
    elif kind == 8:
        w = "".join(rng.choice(KOREAN) for _ in range(rng.randint(1, 6)))
    elif kind == 9:
        w = rng.choice(ARABIC + HEBREW)
    elif kind == 10:
        w = rng.choice(INDIC + OTHER_SCRIPTS)
    else:
        w = str(rng.randint(0, 10 ** rng.randint(1, 9)))
    r = rng.random()
    if r < 0.1:
        w = w.upper()
    elif r < 0.2:
        w = w.title()
    return w


def random_code_point(rng):
    """Any scalar value, weighted towards the planes where characters are assigned."""
    plane = rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 14, 15, 16])
    while True:
        cp = plane * 0x10000 + rng.randrange(0x10000)
        if not 0xD800 <= cp <= 0xDFFF:
            return chr(cp)


def mark_soup(rng, base):
    """A word with combining marks after some letters, in random (often non-canonical) order."""
    out = []
    for ch in base:
        out.append(ch)
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            out.append(rng.choice(COMBINING))
    return "".join(out)


def sentence(rng):
    n = rng.randint(1, 14)
    parts = []
    for i in range(n):
        w = word(rng)
        if rng.random() < 0.08:
            w = mark_soup(rng, w)
        parts.append(w)
        if rng.random() < 0.15:
            parts.append(rng.choice(PUNCT))
        if i + 1 < n:
            parts.append(" " if rng.random() < 0.85 else rng.choice(SPACES))
    if rng.random() < 0.5:
        parts.append(rng.choice(".!?。"))
    return "".join(parts)


def url(rng):
    host = ".".join(rng.choice(WORDS_EN) for _ in range(rng.randint(1, 3)))
    path = "/".join(rng.choice(WORDS_EN + ["index.html", "a_b-c", "%20", "~user"]) for _ in range(rng.randint(0, 4)))
    query = "&".join(f"{rng.choice(WORDS_EN)}={rng.randint(0, 999)}" for _ in range(rng.randint(0, 3)))
    return f"{rng.choice(['http', 'https', 'ftp'])}://{host}.{rng.choice(TLDS)}/{path}" + (f"?{query}" if query else "")


def generated_line(rng, kind):
    if kind == 0:
        return sentence(rng)
    if kind == 1:  # emoji between words
        return " ".join(rng.choice(EMOJI) if rng.random() < 0.5 else word(rng) for _ in range(rng.randint(1, 8)))
    if kind == 2:  # punctuation runs glued to words
        return "".join(rng.choice(PUNCT) * rng.randint(1, 4) + word(rng) for _ in range(rng.randint(1, 6)))
    if kind == 3:  # control and format characters inside words
        return "".join(word(rng) + rng.choice(CONTROLS) for _ in range(rng.randint(1, 6)))
    if kind == 4:  # odd whitespace between words
        return rng.choice(SPACES).join(word(rng) for _ in range(rng.randint(1, 8)))
    if kind == 5:  # long words around the 100-character limit
        w = "".join(rng.choice("abcdefghij") for _ in range(rng.randint(90, 130)))
        return f"{word(rng)} {w} {word(rng)}"
    if kind == 6:  # numbers and units
        return " ".join(rng.choice([str(rng.randint(-10 ** 6, 10 ** 6)), f"{rng.uniform(-1000, 1000):.{rng.randint(0, 6)}f}",
                                     f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(1900, 2100)}",
                                     f"{rng.randint(0, 100)}%", f"${rng.randint(0, 10 ** 5):,}", f"{rng.random():.3e}"])
                        for _ in range(rng.randint(1, 8)))
    if kind == 7:  # URLs and e-mail addresses in a sentence
        return f"{word(rng)} {url(rng)} {rng.choice(WORDS_EN)}@{rng.choice(WORDS_EN)}.{rng.choice(TLDS)}"
    if kind == 8:  # code
        return " ".join(rng.choice(CODE) for _ in range(rng.randint(1, 3)))
    if kind == 9:  # random code points from all planes
        return "".join(random_code_point(rng) if rng.random() < 0.7 else rng.choice(" a")
                       for _ in range(rng.randint(1, 16)))
    if kind == 10:  # mixed scripts without spaces
        return "".join(word(rng) for _ in range(rng.randint(2, 6)))
    if kind == 11:  # special tokens in running text
        return " ".join(rng.choice(SPECIAL) if rng.random() < 0.3 else word(rng) for _ in range(rng.randint(1, 8)))
    if kind == 12:  # combining mark soup
        return " ".join(mark_soup(rng, word(rng)) for _ in range(rng.randint(1, 4)))
    # whitespace-only or nearly empty
    return "".join(rng.choice(SPACES + CONTROLS[:6]) for _ in range(rng.randint(0, 5)))


def needs_escape(ch):
    if ch == "\\":
        return True
    category = unicodedata.category(ch)
    # Cn also covers characters newer than this Python's Unicode tables: escaped to be safe.
    return category[0] in "CZ" and ch != " " or ch == "\ufffd"


def escape(line):
    out = []
    for i, ch in enumerate(line):
        edge = i == 0 or i == len(line) - 1
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif needs_escape(ch) or (ch == " " and edge) or (ch == "#" and i == 0):
            out.append(f"\\u{{{ord(ch):X}}}")
        else:
            out.append(ch)
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="tests/text/corpus.txt")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--generated", type=int, default=1100, help="number of random lines")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    lines = list(HAND_PICKED)
    kinds = 14
    for i in range(args.generated):
        lines.append(generated_line(rng, i % kinds))
    for line in lines:
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in line)

    header = [
        "# WordPiece tokenizer corpus, written by scripts/gen_tokenizer_corpus.py (do not edit).",
        f"# seed {args.seed}: {len(HAND_PICKED)} hand-picked lines, then {args.generated} generated ones.",
        "# One case per line after unescaping: \\\\ \\t \\n \\r and \\u{HEX}; lines starting with # are comments.",
    ]
    text = "\n".join(header + [escape(line) for line in lines]) + "\n"
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(lines)} lines")


if __name__ == "__main__":
    main()
