#pragma once
// mha::WordPiece — BERT's uncased WordPiece tokenizer, as all-MiniLM-L6-v2 runs it.
//
// It gives the same ids and offsets as the model's own tokenizer.json in the PyPI `tokenizers`
// library (the "fast" BertTokenizer of transformers and sentence-transformers), checked on a
// 1,244-line corpus and on every Unicode code point (tests/text). The steps, in order:
//
//   1. special tokens typed in the text ("[SEP]", "[MASK]", exactly so cased) become those tokens,
//      unless TokenizeOptions::match_special_tokens is false; the rest is tokenized as follows;
//   2. cleaning: NUL, U+FFFD and control, format and private-use characters are removed; every
//      kind of whitespace becomes a space;
//   3. CJK ideographs get a space on each side (each becomes a word of its own);
//   4. canonical decomposition (NFD), nonspacing marks removed (accents stripped), lower case;
//   5. words are split at whitespace, and every punctuation character (Unicode P* and all
//      non-alphanumeric ASCII) becomes a word of its own;
//   6. each word becomes the longest vocabulary entry that starts it, then the longest "##"
//      entry that continues it, and so on; a word with no such segmentation, or longer than 100
//      characters (after step 4), becomes the one token [UNK].
//
// Offsets are byte offsets into the UTF-8 text, [begin, end) of the characters a token came from
// (several tokens may share the bytes of one character, e.g. the jamo of a Hangul syllable).
// Added [CLS]/[SEP] have offsets {0, 0}. Invalid UTF-8 is an error (mha::Error naming the byte
// offset), never replaced.
//
//   auto wp = mha::WordPiece::load("vocab.txt");
//   mha::TokenizedText e = wp.encode("Hello, world!");   // ids: 101 7592 1010 2088 999 102
//   e.tokens;   // [CLS] hello , world ! [SEP]
//   e.offsets;  // {0,0} {0,5} {5,6} {7,12} {12,13} {0,0}
//   wp.decode(e.ids);  // "hello, world!"
//
// A WordPiece is immutable after loading: encode and decode may be called from several threads
// at once. Copies share the vocabulary.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mha {

namespace text {
class Vocab;
}

struct TokenizeOptions {
  // Put [CLS] before the tokens and [SEP] after them.
  bool add_special_tokens = true;
  // Keep at most this many ids in all, [CLS] and [SEP] included (the tokens at the end are
  // dropped, even in the middle of a word, as `tokenizers` truncation does). Must be at least 2
  // with add_special_tokens. Absent: no truncation.
  std::optional<std::size_t> max_length;
  // "[CLS]", "[SEP]", "[PAD]", "[UNK]" and "[MASK]" written in the text become those special
  // tokens, as in `tokenizers`. Set false for text that must not inject them: they are then
  // tokenized like any other text ("[", "sep", "]").
  bool match_special_tokens = true;
};

// [begin, end): byte offsets into the encoded text.
struct TokenOffsets {
  std::size_t begin = 0, end = 0;
  bool operator==(const TokenOffsets&) const = default;
};

struct TokenizedText {
  // int64 like mha::Model's TokenIds: model.embed({wp.encode(text).ids}) needs no conversion.
  std::vector<std::int64_t> ids;
  std::vector<std::string> tokens;    // the vocabulary entries of ids ("##" kept)
  std::vector<TokenOffsets> offsets;  // one per token
};

class WordPiece {
 public:
  // Longest word, in characters after normalization, that is split into pieces; longer words
  // become [UNK] (BERT's max_input_chars_per_word).
  static constexpr std::size_t kMaxWordChars = 100;

  // Reads a vocab.txt: one token per line (LF or CRLF), the id of a token is its line number
  // from 0. Throws mha::Error naming the file and line when the file cannot be read, a line is
  // empty, holds a space or control character or invalid UTF-8, a token is repeated, or one of
  // [UNK], [CLS], [SEP], [PAD] is missing.
  static WordPiece load(const std::filesystem::path& vocab_file);
  // The same from the contents of such a file; `source` names it in error messages.
  static WordPiece parse(std::string_view vocab_text, std::string_view source = "<memory>");

  // Tokenizes UTF-8 text. Throws mha::Error on invalid UTF-8 (overlong forms, surrogates, code
  // points above U+10FFFF, truncated or stray bytes), naming the byte offset, and on a
  // max_length below 2 with add_special_tokens.
  TokenizedText encode(std::string_view text, const TokenizeOptions& options = {}) const;
  // Only the ids of encode().
  std::vector<std::int64_t> encode_ids(std::string_view text,
                                       const TokenizeOptions& options = {}) const;

  // Text from ids, as `tokenizers` decodes with the WordPiece decoder: special tokens ([CLS],
  // [SEP], [PAD], [UNK], [MASK]) are skipped unless skip_special_tokens is false; pieces are
  // joined with a space, "##" pieces to the piece before; no space before . , ! ?. Lower-cased
  // and accent-stripped text does not come back as it was. Throws mha::Error for an id outside
  // [0, vocab_size()).
  std::string decode(std::span<const std::int64_t> ids, bool skip_special_tokens = true) const;

  // The id of a vocabulary entry, if there is one (exact match: "##ing", "[CLS]").
  std::optional<std::int64_t> id_of(std::string_view token) const;
  // The entry of an id; throws mha::Error outside [0, vocab_size()).
  std::string_view token_of(std::int64_t id) const;
  std::size_t vocab_size() const;

  std::int64_t unk_id() const;
  std::int64_t cls_id() const;
  std::int64_t sep_id() const;
  std::int64_t pad_id() const;

 private:
  explicit WordPiece(std::shared_ptr<const text::Vocab> vocab);
  std::int32_t checked_id(std::int64_t id, const char* where, const std::string& argument) const;
  std::shared_ptr<const text::Vocab> vocab_;
};

}  // namespace mha
