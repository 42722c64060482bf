// Turning PATH arguments into the list of migration texts to lint.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mg::cli {

struct Input {
    std::string path;  // as shown in reports: the argument, a file found under it, or the stdin name
    bool is_stdin = false;
};

struct InputError {
    std::string path;
    std::string message;
};

struct InputOptions {
    std::vector<std::string> include;  // globs for folder search; empty: the default suffixes
    std::vector<std::string> exclude;  // globs taken out (files and folders alike)
    std::string stdin_name = "<stdin>";
    bool other_languages_ok = false;
    int *other_engine_files = nullptr;  // where to count the files for other engines left out
};

// Files are taken as given (whatever their extension) unless excluded; folders contribute every
// file beneath them that an include glob matches, sorted by path so reports are deterministic,
// except, in a folder of a per-engine layout (V_name.postgres.up.sql), files named for another
// engine (V_name.mysql.up.sql) and those a PostgreSQL one replaces (V_name.up.sql);
// "-" stands for standard input. Arguments that do not exist or cannot be listed, and folders
// that hold only migrations in a language the linter cannot read (Python, JavaScript, Ruby,
// ...), are returned in `errors`.
std::vector<Input> collect_inputs(const std::vector<std::string> &args, const InputOptions &options,
                                  std::vector<InputError> &errors);

// Reads the whole input in one go. On failure returns false and sets `error`.
bool read_input(const Input &input, std::string &text, std::string &error);

// Collects the inputs and hands each one's text to `per_file` in turn; `per_file` returns false
// to stop early. What cannot be listed or read is reported on stderr ("migration-guard: PATH:
// why") and skipped. Returns false when anything was.
bool for_each_input(const std::vector<std::string> &args, const InputOptions &options,
                    const std::function<bool(const Input &, std::string text)> &per_file);

// Glob match of a path relative to the folder searched: "*" and "?" within one path segment,
// "**" across segments; a pattern without "/" is matched against the file name alone.
bool glob_match(const std::string &pattern, const std::string &relative_path);

}  // namespace mg::cli
