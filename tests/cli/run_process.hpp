#pragma once
// Runs a program as a user would, for the tests of the `mha` tool: arguments are passed as bytes
// (so invalid UTF-8 reaches the program intact), stdout and stderr are captured separately.
#include <string>
#include <utility>
#include <vector>

namespace mha::test {

struct ProcessResult {
  int exit_code = -1;  // the exit status, or 128 + signal number when a signal ended it (a crash)
  std::string out, err;
};

// Runs `program` with `args` (argv[1..]) in this process's environment, where `set_env` entries
// replace or add variables and `unset_env` names are removed. Its stdin holds `input` (empty by
// default: never the terminal or the test's own stdin). Waits for it to finish.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& set_env = {},
                          const std::vector<std::string>& unset_env = {},
                          const std::string& input = {});

}  // namespace mha::test
