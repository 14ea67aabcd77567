#pragma once
// A small vocabulary for rule-by-rule tests: each test can see the whole of it.
#include <string>

#include "mha/tokenizer.hpp"

namespace mha::test {

inline const char* kTinyVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"   // ids 0-4
    "the\nquick\nun\n##aff\n##able\n"        // 5-9
    "a\n##b\n##c\nb\nc\n"                    // 10-14
    "hello\nworld\ncafe\nnaive\nistanbul\n"  // 15-19
    ",\n!\n.\n'\n$\n"                        // 20-24
    "中\n文\nᄒ\n##ᅡ\n##ᆫ\n"               // 25-29
    "x\n##x\n[\n]\nsep\n"                    // 30-34
    "«\n»\n^\n`\nk\n"                        // 35-39
    "σ\n##σ\nς\nun\u00e9\n##s\n";            // 40-44 ("uné" never matches: accents are stripped)

inline WordPiece tiny() { return WordPiece::parse(kTinyVocab, "tiny"); }

}  // namespace mha::test
