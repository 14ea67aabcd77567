// mha::WordPiece: loading, encoding (special tokens, normalizer, pre-tokenizer, pieces,
// truncation) and decoding.
#include <fstream>
#include <iterator>

#include "mha/error.hpp"
#include "mha/tokenizer.hpp"
#include "text/normalizer.hpp"
#include "text/pre_tokenizer.hpp"
#include "text/utf8.hpp"
#include "text/vocab.hpp"
#include "text/word_pieces.hpp"

namespace mha {
namespace {

using text::DecodedChar;
using text::NormalizedChar;

// An id with the input bytes it came from, before [CLS]/[SEP] and truncation.
struct RawToken {
  std::int32_t id;
  TokenOffsets offsets;
};

// Buffers of one encode call.
struct Scratch {
  std::vector<DecodedChar> chars;
  std::vector<NormalizedChar> normalized;
  std::vector<text::WordRange> words;
  std::vector<text::Piece> pieces;
  text::NormalizerScratch normalizer;
  text::WordScratch word;
};

// Tokenizes one segment of text (no special tokens in it) into `out`.
void encode_segment(std::span<const DecodedChar> chars, const text::Vocab& vocab, Scratch& s,
                    std::vector<RawToken>& out) {
  s.normalized.clear();
  text::normalize(chars, s.normalized, s.normalizer);
  text::split_words(s.normalized, s.words);
  for (const text::WordRange& w : s.words) {
    const std::span<const NormalizedChar> word(s.normalized.data() + w.first, w.last - w.first);
    s.pieces.clear();
    text::segment_word(word, vocab, WordPiece::kMaxWordChars, s.pieces, s.word);
    // A piece spans from the bytes of its first character to those of its last.
    for (const text::Piece& p : s.pieces)
      out.push_back({p.id, {word[p.first].begin, word[p.last - 1].end}});
  }
}

// The special token whose text starts at byte `at`, longest first (the reference's rule).
const text::Vocab::Special* special_at(std::string_view text, std::size_t at,
                                       const text::Vocab& vocab) {
  const text::Vocab::Special* best = nullptr;
  for (const auto& s : vocab.specials())
    if (text.substr(at).starts_with(s.text) && (!best || s.text.size() > best->text.size()))
      best = &s;
  return best;
}

std::vector<RawToken> encode_raw(std::string_view text, const TokenizeOptions& options,
                                 const text::Vocab& vocab) {
  Scratch s;
  text::decode_utf8(text, s.chars, "mha::WordPiece::encode", "text");
  std::vector<RawToken> out;
  out.reserve(s.chars.size() / 3 + 4);
  std::size_t segment = 0;  // first character not yet tokenized
  if (options.match_special_tokens) {
    for (std::size_t i = 0; i < s.chars.size(); ++i) {
      if (s.chars[i].cp != '[') continue;  // every special token starts with '['
      const text::Vocab::Special* special = special_at(text, s.chars[i].begin, vocab);
      if (!special) continue;
      encode_segment(std::span(s.chars).subspan(segment, i - segment), vocab, s, out);
      const std::size_t begin = s.chars[i].begin, end = begin + special->text.size();
      out.push_back({special->id, {begin, end}});
      while (i + 1 < s.chars.size() && s.chars[i + 1].begin < end) ++i;  // ASCII: one char per byte
      segment = i + 1;
    }
  }
  encode_segment(std::span(s.chars).subspan(segment), vocab, s, out);
  return out;
}

}  // namespace

WordPiece::WordPiece(std::shared_ptr<const text::Vocab> vocab) : vocab_(std::move(vocab)) {}

WordPiece WordPiece::load(const std::filesystem::path& vocab_file) {
  std::ifstream in(vocab_file, std::ios::binary);
  if (!in) throw Error("mha::WordPiece::load: cannot open '" + vocab_file.string() + "'");
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("mha::WordPiece::load: cannot read '" + vocab_file.string() + "'");
  return WordPiece(text::Vocab::parse(contents, vocab_file.string(), "mha::WordPiece::load"));
}

WordPiece WordPiece::parse(std::string_view vocab_text, std::string_view source) {
  return WordPiece(text::Vocab::parse(vocab_text, source, "mha::WordPiece::parse"));
}

TokenizedText WordPiece::encode(std::string_view text, const TokenizeOptions& options) const {
  const std::size_t specials = options.add_special_tokens ? 2 : 0;
  if (options.max_length && *options.max_length < specials)
    throw Error("mha::WordPiece::encode", "options.max_length",
                "at least 2 with add_special_tokens (room for [CLS] and [SEP])",
                std::to_string(*options.max_length));
  std::vector<RawToken> raw = encode_raw(text, options, *vocab_);
  if (options.max_length && raw.size() > *options.max_length - specials)
    raw.resize(*options.max_length - specials);

  TokenizedText e;
  const auto add = [&](std::int32_t id, TokenOffsets offsets) {
    e.ids.push_back(id);
    e.tokens.emplace_back(vocab_->token(id));
    e.offsets.push_back(offsets);
  };
  e.ids.reserve(raw.size() + specials);
  e.tokens.reserve(raw.size() + specials);
  e.offsets.reserve(raw.size() + specials);
  if (options.add_special_tokens) add(vocab_->cls, {0, 0});
  for (const RawToken& t : raw) add(t.id, t.offsets);
  if (options.add_special_tokens) add(vocab_->sep, {0, 0});
  return e;
}

std::vector<std::int64_t> WordPiece::encode_ids(std::string_view text,
                                                const TokenizeOptions& options) const {
  return encode(text, options).ids;
}

std::string WordPiece::decode(std::span<const std::int64_t> ids, bool skip_special_tokens) const {
  // The reference's WordPiece decoder: a space before each piece but the first, none before a
  // "##" piece (whose prefix goes), then its clean-up of the spaces English punctuation does not
  // take, applied to each piece with its leading space.
  static constexpr std::pair<std::string_view, std::string_view> kCleanup[] = {
      {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
      {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
      {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  std::string out, piece;
  bool first = true;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::int32_t id =
        checked_id(ids[k], "mha::WordPiece::decode", "ids[" + std::to_string(k) + "]");
    std::string_view token = vocab_->token(id);
    if (skip_special_tokens && vocab_->is_special(id)) continue;
    piece.clear();
    if (!first && token.starts_with(text::kContinuationPrefix)) {
      token.remove_prefix(text::kContinuationPrefix.size());
    } else if (!first) {
      piece.push_back(' ');
    }
    piece.append(token);
    first = false;
    for (const auto& [from, to] : kCleanup) {
      for (std::size_t at = piece.find(from); at != std::string::npos;
           at = piece.find(from, at + to.size()))
        piece.replace(at, from.size(), to);
    }
    out += piece;
  }
  return out;
}

std::int32_t WordPiece::checked_id(std::int64_t id, const char* where,
                                   const std::string& argument) const {
  if (id < 0 || static_cast<std::uint64_t>(id) >= vocab_->size())
    throw Error(where, argument, "an id in [0, " + std::to_string(vocab_->size()) + ")",
                std::to_string(id));
  return static_cast<std::int32_t>(id);
}

std::optional<std::int64_t> WordPiece::id_of(std::string_view token) const {
  const auto id = vocab_->find(token);
  return id ? std::optional<std::int64_t>(*id) : std::nullopt;
}

std::string_view WordPiece::token_of(std::int64_t id) const {
  return vocab_->token(checked_id(id, "mha::WordPiece::token_of", "id"));
}

std::size_t WordPiece::vocab_size() const { return vocab_->size(); }
std::int64_t WordPiece::unk_id() const { return vocab_->unk; }
std::int64_t WordPiece::cls_id() const { return vocab_->cls; }
std::int64_t WordPiece::sep_id() const { return vocab_->sep; }
std::int64_t WordPiece::pad_id() const { return vocab_->pad; }

}  // namespace mha
