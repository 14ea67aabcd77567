// The terminal heatmap: aligned rows, labels, no escape sequence without colour, and no escape
// sequence from a token ever.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/checks.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

AttentionMaps diagonal() {
  AttentionMaps m;
  m.model = "diag";
  m.tokens = {"[CLS]", "the", "fox", "[SEP]"};
  m.layers = m.heads = 1;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) m.weights.push_back(i == j ? 1.0f : 0.0f);
  return m;
}

TEST(VizTerminal, PlainGridWithoutColour) {
  const std::string out = terminal_heatmap(diagonal(), 0, 0, {.label_width = 6});
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  const std::vector<std::string> l = lines(out);
  // Title, 5 rows of key labels ("[CLS]" is the longest), 4 grid rows, blank, scale, keys.
  ASSERT_EQ(l.size(), 1u + 5 + 4 + 3) << out;
  EXPECT_EQ(l[0], "layer 0, head 0 of diag  (row = query, column = key)");
  EXPECT_EQ(l[1], "         [ t f [");  // margin "0 " + 6 + " " = 9 columns, then a slot per key
  EXPECT_EQ(l[2], "         C h o S");
  EXPECT_EQ(l[6], "0 [CLS]  @@      ");
  EXPECT_EQ(l[7], "1 the      @@    ");
  EXPECT_EQ(l[9], "3 [SEP]        @@");
  EXPECT_EQ(l[11], "scale  0   ..::--==++**##%%@@ 1");
  EXPECT_EQ(l[12], "keys  0 [CLS]  1 the  2 fox  3 [SEP]");
}

TEST(VizTerminal, InkFollowsTheWeight) {
  AttentionMaps m;
  m.tokens = {"a", "b"};
  m.layers = m.heads = 1;
  m.weights = {0.0f, 0.5f, 0.12f, 1.0f};
  const std::vector<std::string> l = lines(terminal_heatmap(m, 0, 0, {.legend = false}));
  EXPECT_EQ(l.back(), "1 b            ..@@");
  EXPECT_EQ(l[l.size() - 2], "0 a              ++");  // 0.5 → level 4.5, rounded up
}

TEST(VizTerminal, LongAndWideLabelsKeepTheColumnsAligned) {
  AttentionMaps m = demo::patterns(demo::hostile_tokens(), 1, 1);
  const std::string out = terminal_heatmap(m, 0, 0, {.label_width = 8, .key_rows = 4});
  EXPECT_EQ(test::utf8_problem(out), "");
  // The token "\x1b[31mred\x1b[0m" must not reach the terminal as an escape sequence.
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(out.find("\xef\xbf\xbd[31mred"), std::string::npos);  // ESC shown as U+FFFD
  // Every grid row: index (2) + space + label (8 columns) + space + 12 cells of 2 columns.
  const std::vector<std::string> l = lines(out);
  for (std::size_t r = 5; r < 5 + 12; ++r) {
    int columns = 0;  // display columns: ASCII 1, the CJK / emoji in these tokens 2, "é"'s accent 0
    for (std::size_t i = 0; i < l[r].size(); ++i) {
      const auto b = static_cast<unsigned char>(l[r][i]);
      if ((b & 0xC0) == 0x80) continue;
      if (b == 0xCC) continue;  // U+0301, combining
      columns +=
          b == 0xE6 || b == 0xF0 ? 2 : 1;  // 日, 本, 🦊 (U+FFFD and … start with 0xEF/0xE2)
    }
    EXPECT_EQ(columns, 2 + 1 + 8 + 1 + 24) << "row " << r << ": " << l[r];
  }
}

TEST(VizTerminal, ColourModes) {
  const AttentionMaps m = diagonal();
  const std::string c256 = terminal_heatmap(m, 0, 0, {.color = TerminalColor::ansi256});
  EXPECT_NE(c256.find("\x1b[48;5;231m  "), std::string::npos);  // weight 0: white (cube 5,5,5)
  EXPECT_NE(c256.find("\x1b[0m\n"), std::string::npos);         // every coloured row is reset
  const std::string c24 = terminal_heatmap(m, 0, 0, {.color = TerminalColor::truecolor});
  const Rgb one = weight_color(1.0f);
  EXPECT_NE(c24.find("\x1b[48;2;" + std::to_string(one.r) + ";" + std::to_string(one.g) + ";" +
                     std::to_string(one.b) + "m  "),
            std::string::npos);
  EXPECT_NE(c24.find("\x1b[48;2;255;255;255m  "), std::string::npos);
  for (const std::string* s : {&c256, &c24}) {
    std::size_t resets = 0;
    for (std::size_t at = s->find("\x1b[0m"); at != std::string::npos;
         at = s->find("\x1b[0m", at + 1))
      ++resets;
    EXPECT_EQ(resets, 4u + 1);  // four rows and the scale
  }
}

TEST(VizTerminal, ColourChoiceFollowsNoColorAndTheTerminal) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  unsetenv("NO_COLOR");
  EXPECT_EQ(terminal_color_for(fds[1]), TerminalColor::none);  // a pipe is not a terminal
  close(fds[0]);
  close(fds[1]);
  setenv("NO_COLOR", "1", 1);
  EXPECT_EQ(terminal_color_for(STDOUT_FILENO), TerminalColor::none);
  unsetenv("NO_COLOR");
}

TEST(VizTerminal, OptionsAreChecked) {
  EXPECT_THROW((void)terminal_heatmap(diagonal(), 0, 0, {.label_width = 2}), Error);
  EXPECT_THROW((void)terminal_heatmap(diagonal(), 0, 0, {.key_rows = -1}), Error);
  EXPECT_THROW((void)terminal_heatmap(diagonal(), 1, 0), Error);
}

}  // namespace
}  // namespace mha::viz
