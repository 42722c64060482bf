// Turning PATH arguments into the list of migration texts to lint.
#pragma once

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

}  // namespace mg::cli
