// The HTML page: the embedded template, style and scripts, and the data as one JSON object.
#include <algorithm>
#include <cmath>
#include <string>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/assets.hpp"
#include "viz/escape.hpp"

namespace mha::viz {
namespace {

using detail::append_json_number;
using detail::append_json_string;

// A weight rounded to 0.001, written in as few characters as JSON allows ("0", "0.05", "0.123",
// "1"): the page shows three decimals, and this keeps 6×12 heads at S = 16 near 100 KB of data.
void append_weight(std::string& out, float w) {
  const long k = std::lround(std::clamp(static_cast<double>(w), 0.0, 1.0) * 1000.0);
  if (k == 0 || k == 1000) {
    out.push_back(k ? '1' : '0');
    return;
  }
  char digits[4] = {static_cast<char>('0' + k / 100), static_cast<char>('0' + k / 10 % 10),
                    static_cast<char>('0' + k % 10), 0};
  int n = 3;
  while (digits[n - 1] == '0') --n;
  out += "0.";
  out.append(digits, static_cast<std::size_t>(n));
}

template <class T, class F>
void append_array(std::string& out, const std::vector<T>& items, F&& append_item) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    append_item(out, items[i]);
  }
  out.push_back(']');
}

void append_string_item(std::string& out, const std::string& s) { append_json_string(out, s); }

void append_step(std::string& out, const Step& step) {
  out += "{\"number\":" + std::to_string(step.number) + ",\"name\":";
  append_json_string(out, step.name.empty() ? std::string(step_name(step.number)) : step.name);
  out += ",\"shape\":";
  append_json_string(out, step.shape);
  out += ",\"description\":";
  append_json_string(out, step.description);
  out += ",\"numbers\":";
  append_array(out, step.numbers, [](std::string& o, const StepNumbers& n) {
    o += "{\"label\":";
    append_json_string(o, n.label);
    o += ",\"values\":";
    append_array(o, n.values, [](std::string& o2, double v) { append_json_number(o2, v); });
    o += "}";
  });
  out += "}";
}

// The data the scripts read (common.js): weights flattened [layers, heads, S, S].
std::string data_json(const AttentionMaps& maps) {
  std::string out;
  out.reserve(maps.weights.size() * 6 + 8192);
  out += "{\"model\":";
  append_json_string(out, maps.model);
  out += ",\"text\":";
  append_json_string(out, maps.text);
  out += ",\"tokens\":";
  append_array(out, maps.tokens, append_string_item);
  out += ",\"layers\":" + std::to_string(maps.layers) + ",\"heads\":" + std::to_string(maps.heads);
  std::vector<std::string> head_colors, ramp;
  for (int h = 0; h < maps.heads; ++h) head_colors.push_back(hex(head_color(h, maps.heads)));
  for (const Rgb& c : weight_ramp()) ramp.push_back(hex(c));
  out += ",\"headColors\":";
  append_array(out, head_colors, append_string_item);
  out += ",\"ramp\":";
  append_array(out, ramp, append_string_item);
  out += ",\"summaries\":";
  append_array(out, maps.head_summaries.empty() ? summarize_heads(maps) : maps.head_summaries,
               append_string_item);
  out += ",\"steps\":";
  append_array(out, maps.steps, append_step);
  out += ",\n\"weights\":";
  append_array(out, maps.weights, append_weight);
  out += "}";
  return out;
}

}  // namespace

std::string html(const AttentionMaps& maps) {
  validate(maps);
  const std::string title = detail::xml_escape(
      "Attention in " + (maps.model.empty() ? std::string("a model") : maps.model));
  const std::string data = data_json(maps);
  // One pass over the template: what is put into a slot is never searched for slots again.
  const std::string_view page = detail::kPageTemplate;
  std::string out;
  out.reserve(page.size() + detail::kStyle.size() + detail::kScript.size() + data.size() + 256);
  for (std::size_t pos = 0;;) {
    const std::size_t open = page.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(page.substr(pos));
      break;
    }
    const std::size_t close = page.find("}}", open);
    if (close == std::string_view::npos)
      throw Error("mha::viz::html: an unclosed {{ in the template");
    const std::string_view name = page.substr(open + 2, close - open - 2);
    out.append(page.substr(pos, open - pos));
    if (name == "title")
      out += title;
    else if (name == "style")
      out.append(detail::kStyle);
    else if (name == "data")
      out += data;
    else if (name == "script")
      out.append(detail::kScript);
    else
      throw Error("mha::viz::html: unknown slot {{" + std::string(name) + "}} in the template");
    pos = close + 2;
  }
  return out;
}

void write_html(const AttentionMaps& maps, const std::filesystem::path& path) {
  write_file(path, html(maps));
}

}  // namespace mha::viz
