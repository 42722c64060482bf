// Turning PATH arguments into the list of migration texts to lint.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mg::cli {

struct Input {
    std::string path;  // as shown in reports: the argument, a file found under it, or <stdin>
    bool is_stdin = false;
};

struct InputError {
    std::string path;
    std::string message;
};

// Files are taken as given (whatever their extension); folders contribute every *.sql file
// beneath them, sorted by path so reports are deterministic; "-" stands for standard input.
// Arguments that do not exist or cannot be listed are returned in `errors`.
std::vector<Input> collect_inputs(const std::vector<std::string> &args,
                                  std::vector<InputError> &errors);

// Reads the whole input in one go. On failure returns false and sets `error`.
bool read_input(const Input &input, std::string &text, std::string &error);

// Collects the inputs and hands each one's text to `per_file` in turn; `per_file` returns false
// to stop early. What cannot be listed or read is reported on stderr ("migration-guard: PATH:
// why") and skipped. Returns false when anything was.
bool for_each_input(const std::vector<std::string> &args,
                    const std::function<bool(const Input &, std::string text)> &per_file);

}  // namespace mg::cli
