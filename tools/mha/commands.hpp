#pragma once
// The subcommands of `mha`, one file each. main.cpp parses the command line, applies the global
// options, then runs the one subcommand that was chosen.
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <stdexcept>

namespace mha::cli {

// Options of `mha` itself, accepted before or after the subcommand.
struct GlobalOptions {
  std::optional<int> threads;  // --threads N, applied with mha::set_num_threads before running
};

// A registered subcommand: its parser, and what runs when it was chosen (returns the exit code).
// Errors are thrown (mha::Error and the like); main turns them into a message and exit code 1.
struct Command {
  CLI::App* parser = nullptr;
  std::function<int()> run;
};

// A command line that parses but asks for something impossible (a layer the model lacks, text
// without a token): main reports it like a parse error, with exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Command add_info_command(CLI::App& app, const GlobalOptions& global);
Command add_explain_command(CLI::App& app, const GlobalOptions& global);
Command add_embed_command(CLI::App& app, const GlobalOptions& global);
Command add_tokenize_command(CLI::App& app, const GlobalOptions& global);
Command add_bench_command(CLI::App& app, const GlobalOptions& global);

}  // namespace mha::cli
