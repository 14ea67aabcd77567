// Fuzzes mha::WordPiece: arbitrary bytes as text (valid UTF-8 or not) under every option, and as
// a vocabulary file. Anything may be rejected with mha::Error; nothing may crash, read out of
// bounds or throw anything else, and every accepted encoding must be consistent: ids in range,
// tokens matching ids, offsets inside the text on character boundaries, truncation respected,
// and decode accepting the ids.
//
// Input: byte 0 holds flags (1: add [CLS]/[SEP], 2: match special tokens in the text,
// 4: truncate to byte 1, 8: parse the rest as a vocabulary, 16: decode keeps special tokens);
// the rest is the text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mha/error.hpp"
#include "mha/tokenizer.hpp"

namespace {

// A small vocabulary with multi-byte pieces, "##" pieces and the special tokens.
constexpr std::string_view kVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
    "the\nun\n##aff\n##able\na\n##b\n##c\nb\nc\n##s\nhello\nworld\n,\n.\n!\n'\n[\n]\nsep\n#\n##\n"
    "中\n文\nᄒ\n##ᅡ\n##ᆫ\nк\n##о\nσ\n##σ\nέ\nx\n##x\n1\n##2\n😀\n";

const mha::WordPiece& tokenizer() {
  static const mha::WordPiece wp = mha::WordPiece::parse(kVocab, "fuzz vocab");
  return wp;
}

void check(bool ok) {
  if (!ok) std::abort();
}

bool is_continuation(std::string_view text, std::size_t at) {
  return at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80;
}

void encode(std::string_view text, std::uint8_t flags, std::uint8_t max_length) {
  const mha::WordPiece& wp = tokenizer();
  mha::TokenizeOptions options;
  options.add_special_tokens = flags & 1;
  options.match_special_tokens = flags & 2;
  if (flags & 4) options.max_length = max_length % 16;
  mha::TokenizedText e;
  try {
    e = wp.encode(text, options);
  } catch (const mha::Error&) {
    return;  // invalid UTF-8 or a max_length below 2 with special tokens
  }
  check(e.ids.size() == e.tokens.size() && e.ids.size() == e.offsets.size());
  if (options.max_length) check(e.ids.size() <= *options.max_length);
  for (std::size_t i = 0; i < e.ids.size(); ++i) {
    check(e.ids[i] >= 0 && static_cast<std::size_t>(e.ids[i]) < wp.vocab_size());
    check(e.tokens[i] == wp.token_of(e.ids[i]));
    const mha::TokenOffsets o = e.offsets[i];
    check(o.begin <= o.end && o.end <= text.size());
    check(!is_continuation(text, o.begin) && !is_continuation(text, o.end));
  }
  if (options.add_special_tokens)
    check(e.ids.front() == wp.cls_id() && e.ids.back() == wp.sep_id());
  (void)wp.decode(e.ids, !(flags & 16));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    encode({}, 3, 0);
    return 0;
  }
  const std::uint8_t flags = data[0];
  const std::uint8_t max_length = size > 1 ? data[1] : 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (flags & 8) {
    try {
      const mha::WordPiece wp = mha::WordPiece::parse(rest, "fuzz input");
      (void)wp.encode("hello [SEP] world", {});
    } catch (const mha::Error&) {
    }
    return 0;
  }
  encode(rest, flags, max_length);
  return 0;
}
