// `mha`: the command-line tool. Parses, applies global options, runs one subcommand, and turns
// every failure into a message on stderr and an exit code: 0 success, 1 an error while running
// (mha::Error and others: a missing or damaged model, a file that cannot be read), 2 a command
// line that does not parse or asks for the impossible (UsageError).
#include <exception>
#include <iostream>
#include <vector>

#include "commands.hpp"
#include "mha/error.hpp"
#include "mha/threads.hpp"
#include "mha/version.hpp"

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;  // the usual code for bad usage (CLI11's own codes are 100+)

int run(int argc, char** argv) {
  CLI::App app{"mha: multi-head attention, step by step, and as fast as the machine allows.",
               "mha"};
  app.set_version_flag("--version", "mha " MHA_VERSION_STRING, "Print the version and exit");
  // Subcommands inherit this, so `mha explain --threads 2` works like `mha --threads 2 explain`.
  app.fallthrough();
  app.require_subcommand(0, 1);

  mha::cli::GlobalOptions global;
  app.add_option("--threads", global.threads,
                 "Threads for attention (default: MHA_NUM_THREADS, else every hardware thread)")
      ->check(CLI::Range(1, 4096));

  const std::vector<mha::cli::Command> commands = {
      mha::cli::add_info_command(app, global),      // the machine and the build
      mha::cli::add_explain_command(app, global),   // the six steps in the pretrained model
      mha::cli::add_embed_command(app, global),     // sentence embeddings
      mha::cli::add_tokenize_command(app, global),  // WordPiece tokens
      mha::cli::add_bench_command(app, global),     // the kernels, timed
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0.
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  if (global.threads) mha::set_num_threads(*global.threads);
  for (const mha::cli::Command& c : commands)
    if (c.parser->parsed()) return c.run();

  std::cerr << "mha: a subcommand is required\n\n" << app.help();
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // The library reports, only the program exits: nothing escapes main as a crash.
  try {
    return run(argc, argv);
  } catch (const mha::cli::UsageError& e) {
    std::cerr << "mha: error: " << e.what() << '\n';
    return kExitUsage;
  } catch (const mha::Error& e) {
    std::cerr << "mha: error: " << e.what() << '\n';
  } catch (const std::bad_alloc&) {
    std::cerr << "mha: error: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "mha: internal error: " << e.what() << '\n';
  }
  return kExitError;
}
