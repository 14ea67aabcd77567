#pragma once
// A WordPiece vocabulary: vocab.txt parsed and checked, with the lookups the tokenizer needs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mha::text {

// The prefix of pieces that continue a word.
inline constexpr std::string_view kContinuationPrefix = "##";

class Vocab {
 public:
  // Parses vocab.txt contents (see WordPiece::load for the rules). `source` names the file in
  // error messages, `where` the API function.
  static std::shared_ptr<const Vocab> parse(std::string_view text, std::string_view source,
                                            const char* where);

  Vocab(const Vocab&) = delete;  // the lookups point into storage_
  Vocab& operator=(const Vocab&) = delete;

  std::size_t size() const noexcept { return starts_.size() - 1; }
  std::string_view token(std::int32_t id) const noexcept {
    const auto i = static_cast<std::size_t>(id);
    return std::string_view(storage_).substr(starts_[i], starts_[i + 1] - starts_[i]);
  }
  std::optional<std::int32_t> find(std::string_view token) const;
  // A piece that starts a word, and one that continues it (given without the "##").
  std::optional<std::int32_t> find_start(std::string_view piece) const { return find(piece); }
  std::optional<std::int32_t> find_continuation(std::string_view piece) const;
  // The longest entry in bytes, of each kind: longer candidates need no lookup.
  std::size_t max_start_bytes() const noexcept { return max_start_bytes_; }
  std::size_t max_continuation_bytes() const noexcept { return max_continuation_bytes_; }

  // The special tokens: matched in text, skipped by decode. [MASK] is optional.
  struct Special {
    std::string_view text;
    std::int32_t id;
  };
  const std::vector<Special>& specials() const noexcept { return specials_; }
  bool is_special(std::int32_t id) const;
  std::int32_t unk, cls, sep, pad;

 private:
  Vocab() = default;
  std::string storage_;              // all tokens, back to back
  std::vector<std::size_t> starts_;  // token i is storage_[starts_[i], starts_[i + 1])
  std::unordered_map<std::string_view, std::int32_t> ids_, continuations_;
  std::size_t max_start_bytes_ = 0, max_continuation_bytes_ = 0;
  std::vector<Special> specials_;
};

}  // namespace mha::text
