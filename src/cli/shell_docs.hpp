// What packages ship beside the binary, generated from the CLI itself: a man page from the help
// text and shell completions from the option declarations.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mg::cli {

// roff for man(1): the usage as SYNOPSIS, the help text as DESCRIPTION.
int print_man_page(const char *usage, const char *help, const char *version);

// A completion script for `shell` (bash or zsh): the commands, then each command's options.
int print_completion(const std::string &shell,
                     const std::vector<std::pair<std::string, std::vector<std::string>>> &commands);

}  // namespace mg::cli
