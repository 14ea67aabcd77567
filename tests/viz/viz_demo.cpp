// mha_viz_demo OUT_DIR: writes every picture of mha::viz for a toy encoder (6 layers × 12 heads of
// mha::MultiHeadAttention), for synthetic patterns, and for hostile tokens, and prints one head
// to the terminal. The browser test (browser_test.py) opens what it writes; `mha explain` will
// call the same functions on the pretrained model.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>

#include "mha/error.hpp"
#include "mha/viz.hpp"
#include "viz/demo_data.hpp"

namespace fs = std::filesystem;
using namespace mha::viz;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mha_viz_demo OUT_DIR\n";
    return 2;
  }
  try {
    const fs::path out = argv[1];
    fs::create_directories(out);
    const AttentionMaps toy = demo::toy_encoder(demo::fox_tokens());
    write_html(toy, out / "attention.html");
    write_file(out / "heatmap.svg", svg_heatmap(toy, 0, 0));
    write_file(out / "grid.svg", svg_grid(toy));
    write_file(out / "heatmap.png", png_heatmap(toy, 0, 0));
    write_file(out / "grid.png", png_grid(toy));

    const AttentionMaps synthetic = demo::patterns(demo::fox_tokens());
    write_html(synthetic, out / "patterns.html");
    write_file(out / "patterns_grid.png", png_grid(synthetic));

    AttentionMaps hostile = demo::patterns(demo::hostile_tokens(), 2, 3);
    hostile.model = "hostile </script> <b>tokens</b> & \"quotes\"";
    hostile.text = "</script><!-- \xf0\x9f\xa6\x8a";
    hostile.steps = toy.steps;
    write_html(hostile, out / "hostile.html");
    write_file(out / "hostile.svg", svg_heatmap(hostile, 0, 0));

    TerminalOptions t;
    t.color = terminal_color_for(fileno(stdout));
    std::cout << terminal_heatmap(toy, 0, 0, t) << "\n" << terminal_heatmap(synthetic, 0, 0, t);
    std::cout << "\nwrote " << (out / "attention.html").string() << " ("
              << fs::file_size(out / "attention.html") << " bytes) and more in " << out.string()
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mha_viz_demo: " << e.what() << "\n";
    return 1;
  }
}
