#include "text/vocab.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "mha/error.hpp"
#include "text/utf8.hpp"

namespace mha::text {
namespace {

[[noreturn]] void fail(const char* where, std::string_view source, std::size_t line,
                       const std::string& what) {
  std::string m = std::string(where) + ": '" + std::string(source) + "'";
  if (line > 0) m += " line " + std::to_string(line);
  throw Error(m + ": " + what);
}

// What a vocabulary line may not hold: a token can never contain whitespace or a control
// character (the normalizer removes or splits at them), so one that does means a broken file.
std::string bad_byte(std::string_view token) {
  for (std::size_t i = 0; i < token.size(); ++i) {
    const auto b = static_cast<unsigned char>(token[i]);
    if (b <= 0x20 || b == 0x7F) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "a %s (byte 0x%02X) at byte %zu of the token",
                    b == ' '    ? "space"
                    : b == '\t' ? "tab"
                                : "control character",
                    b, i);
      return buf;
    }
  }
  return {};
}

}  // namespace

std::shared_ptr<const Vocab> Vocab::parse(std::string_view text, std::string_view source,
                                          const char* where) {
  std::shared_ptr<Vocab> v(new Vocab());
  v->storage_.reserve(text.size());
  v->starts_.push_back(0);
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++line;
    const std::size_t nl = text.find('\n', pos);
    std::string_view token =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!token.empty() && token.back() == '\r') token.remove_suffix(1);  // CRLF files
    if (token.empty()) fail(where, source, line, "empty line (expected one token per line)");
    if (std::string what = utf8_error(token); !what.empty())
      fail(where, source, line, "invalid UTF-8: " + what);
    if (std::string what = bad_byte(token); !what.empty())
      fail(where, source, line, "the token holds " + what);
    if (v->size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      fail(where, source, line, "more tokens than int32 ids can number");
    v->storage_.append(token);
    v->starts_.push_back(v->storage_.size());
  }
  if (v->size() == 0) fail(where, source, 0, "no tokens (the file is empty)");

  // storage_ is complete: the maps may now point into it.
  v->ids_.reserve(v->size());
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto id = static_cast<std::int32_t>(i);
    const std::string_view token = v->token(id);
    if (auto [it, fresh] = v->ids_.emplace(token, id); !fresh)
      fail(where, source, i + 1,
           "duplicate token '" + std::string(token) + "' (first on line " +
               std::to_string(it->second + 1) + ")");
    if (token.starts_with(kContinuationPrefix) && token.size() > kContinuationPrefix.size()) {
      const std::string_view rest = token.substr(kContinuationPrefix.size());
      v->continuations_.emplace(rest, id);
      v->max_continuation_bytes_ = std::max(v->max_continuation_bytes_, rest.size());
    }
    v->max_start_bytes_ = std::max(v->max_start_bytes_, token.size());
  }

  const auto require = [&](std::string_view name) {
    const auto id = v->find(name);
    if (!id)
      fail(where, source, 0,
           "no '" + std::string(name) +
               "' token (a BERT vocabulary needs [UNK], [CLS], [SEP] and [PAD])");
    return *id;
  };
  v->unk = require("[UNK]");
  v->cls = require("[CLS]");
  v->sep = require("[SEP]");
  v->pad = require("[PAD]");
  // The tokens the reference treats as special, in its order.
  for (std::string_view name : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
    if (const auto id = v->find(name)) v->specials_.push_back({v->token(*id), *id});
  return v;
}

std::optional<std::int32_t> Vocab::find(std::string_view token) const {
  const auto it = ids_.find(token);
  return it == ids_.end() ? std::nullopt : std::optional<std::int32_t>(it->second);
}

std::optional<std::int32_t> Vocab::find_continuation(std::string_view piece) const {
  const auto it = continuations_.find(piece);
  return it == continuations_.end() ? std::nullopt : std::optional<std::int32_t>(it->second);
}

bool Vocab::is_special(std::int32_t id) const {
  return std::any_of(specials_.begin(), specials_.end(),
                     [&](const Special& s) { return s.id == id; });
}

}  // namespace mha::text
