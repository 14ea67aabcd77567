#include "text/word_pieces.hpp"

#include "text/utf8.hpp"

namespace mha::text {

void segment_word(std::span<const NormalizedChar> word, const Vocab& vocab, std::size_t max_chars,
                  std::vector<Piece>& out, WordScratch& scratch) {
  const std::size_t n = word.size();
  if (n == 0) return;
  if (n > max_chars) {
    out.push_back({vocab.unk, 0, n});
    return;
  }
  auto& bytes = scratch.bytes;
  auto& start = scratch.start;
  bytes.clear();
  start.clear();
  for (const NormalizedChar& c : word) {
    start.push_back(bytes.size());
    append_utf8(bytes, c.cp);
  }
  start.push_back(bytes.size());

  const std::size_t first_piece = out.size();
  for (std::size_t begin = 0; begin < n;) {
    const bool continues = begin > 0;
    const std::size_t max_bytes =
        continues ? vocab.max_continuation_bytes() : vocab.max_start_bytes();
    // Longest first: the end shrinks one character at a time; ends past the longest entry
    // cannot match and are skipped without a lookup.
    std::size_t end = n;
    while (end > begin && start[end] - start[begin] > max_bytes) --end;
    std::optional<std::int32_t> id;
    for (; end > begin; --end) {
      const std::string_view piece(bytes.data() + start[begin], start[end] - start[begin]);
      id = continues ? vocab.find_continuation(piece) : vocab.find_start(piece);
      if (id) break;
    }
    if (!id) {  // no segmentation: the word is [UNK]
      out.resize(first_piece);
      out.push_back({vocab.unk, 0, n});
      return;
    }
    out.push_back({*id, begin, end});
    begin = end;
  }
}

}  // namespace mha::text
