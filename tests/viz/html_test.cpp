// The HTML page: one self-contained file, data that survives any token, nothing fetched.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/checks.hpp"
#include "viz/demo_data.hpp"

namespace mha::viz {
namespace {

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

// The text of the <script type="application/json"> element, as a browser would cut it: up to
// the first "</script" (any case).
std::string embedded_json(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"mha-data\">";
  const std::size_t start = page.find(open);
  EXPECT_NE(start, std::string::npos);
  std::string lower = page;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::size_t end = lower.find("</script", start + open.size());
  return page.substr(start + open.size(), end - start - open.size());
}

AttentionMaps hostile() {
  AttentionMaps m = demo::patterns(demo::hostile_tokens(), 2, 3);
  m.model = "evil </script><script>alert(1)</script> & \"model\"";
  m.text = "</SCRIPT> <!-- \xf0\x9f\xa6\x8a";
  m.steps = {{2, "", "q </script>", "<b>bold?</b>", {{"x[0]", {1.5, -0.25}}}}};
  return m;
}

TEST(VizHtml, HostileTokensSurviveTheRoundTripExactly) {
  const AttentionMaps m = hostile();
  const std::string page = html(m);
  EXPECT_EQ(test::utf8_problem(page), "");
  // Exactly the two closing tags of the page's own script elements.
  EXPECT_EQ(count(page, "</script>"), 2u);
  EXPECT_EQ(count(page, "</SCRIPT>"), 0u);
  const nlohmann::json data = nlohmann::json::parse(embedded_json(page));
  const auto tokens = data.at("tokens").get<std::vector<std::string>>();
  ASSERT_EQ(tokens.size(), m.tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (m.tokens[i] == "bad\xff\xfe")
      EXPECT_EQ(tokens[i], "bad\xef\xbf\xbd\xef\xbf\xbd");  // each ill-formed byte → U+FFFD
    else
      EXPECT_EQ(tokens[i], m.tokens[i]) << "token " << i;
  }
  EXPECT_EQ(data.at("model"), m.model);
  EXPECT_EQ(data.at("text"), m.text);
  EXPECT_EQ(data.at("steps")[0].at("name"), "project");  // filled from step_name
  EXPECT_EQ(data.at("steps")[0].at("shape"), "q </script>");
  EXPECT_EQ(data.at("steps")[0].at("numbers")[0].at("values")[1], -0.25);
  // The data is pure ASCII: no byte of it depends on the page's declared charset.
  for (const char c : embedded_json(page)) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
  // The title is escaped markup, never markup.
  EXPECT_NE(page.find("<title>Attention in evil &lt;/script&gt;&lt;script&gt;alert(1)"),
            std::string::npos);
}

TEST(VizHtml, DataHoldsEveryWeightToAThousandth) {
  const AttentionMaps m = demo::toy_encoder(demo::fox_tokens(), 2, 3);
  const nlohmann::json data = nlohmann::json::parse(embedded_json(html(m)));
  EXPECT_EQ(data.at("layers"), 2);
  EXPECT_EQ(data.at("heads"), 3);
  const auto w = data.at("weights").get<std::vector<double>>();
  ASSERT_EQ(w.size(), m.weights.size());
  for (std::size_t k = 0; k < w.size(); ++k) EXPECT_NEAR(w[k], m.weights[k], 0.0005 + 1e-9);
  EXPECT_EQ(data.at("summaries").size(), 6u);
  EXPECT_EQ(data.at("headColors").size(), 3u);
  EXPECT_EQ(data.at("ramp").front(), "#ffffff");
  EXPECT_EQ(data.at("steps").size(), 6u);
}

TEST(VizHtml, SummariesAreComputedWhenNotGiven) {
  AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 2);
  m.head_summaries.clear();
  const nlohmann::json data = nlohmann::json::parse(embedded_json(html(m)));
  EXPECT_EQ(data.at("summaries")[0].get<std::string>().rfind("previous token", 0), 0u);
}

TEST(VizHtml, NothingIsFetched) {
  const std::string page = html(demo::patterns(demo::fox_tokens(), 1, 2));
  // A Content-Security-Policy that allows no source at all besides the inline code.
  EXPECT_NE(page.find("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
            std::string::npos);
  for (const char* needle : {"<link", " src=", "@import", "url(", "https://", "//cdn"})
    EXPECT_EQ(page.find(needle), std::string::npos) << needle;
  // The one URL is the SVG namespace, a name that is never fetched.
  EXPECT_EQ(count(page, "http://"), count(page, "http://www.w3.org/2000/svg"));
  // Links only to the page's own sections.
  for (std::size_t at = page.find("href="); at != std::string::npos;
       at = page.find("href=", at + 1))
    EXPECT_EQ(page.compare(at, 7, "href=\"#"), 0) << page.substr(at, 40);
}

TEST(VizHtml, SixTimesTwelveHeadsAtSixteenTokensStaysSmall) {
  std::vector<std::string> tokens = demo::fox_tokens();
  tokens.insert(tokens.end() - 1, {"and", "the", "cat", "sleeps"});  // S = 16
  // Random rows: every weight has three significant digits, the largest the data can get.
  AttentionMaps m = demo::patterns(tokens, 6, 12);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (std::size_t r = 0; r < m.weights.size(); r += 16) {
    float sum = 0;
    for (std::size_t j = 0; j < 16; ++j) sum += (m.weights[r + j] = u(rng));
    for (std::size_t j = 0; j < 16; ++j) m.weights[r + j] /= sum;
  }
  m.steps = demo::toy_encoder(demo::fox_tokens(), 1, 12).steps;
  const std::string page = html(m);
  RecordProperty("html_bytes", static_cast<int>(page.size()));
  std::cout << "6 layers x 12 heads, S = 16: " << page.size() << " bytes\n";
  EXPECT_LT(page.size(), 300u * 1024);
}

TEST(VizHtml, WriteHtmlWritesThePageAndReportsFailures) {
  const AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 2);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "mha_viz_html_test";
  std::filesystem::create_directories(dir);
  write_html(m, dir / "a.html");
  std::ifstream f(dir / "a.html", std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  EXPECT_EQ(s.str(), html(m));
  std::filesystem::remove_all(dir);
  try {
    write_html(m, dir / "no" / "such" / "dir.html");
    FAIL() << "no error for a path that cannot be written";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dir.html"), std::string::npos) << e.what();
  }
}

TEST(VizHtml, InvalidMapsAreRejectedBeforeAnythingIsWritten) {
  AttentionMaps m = demo::patterns(demo::fox_tokens(), 1, 2);
  m.weights.resize(3);
  EXPECT_THROW((void)html(m), Error);
}

}  // namespace
}  // namespace mha::viz
