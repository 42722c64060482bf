// --changed-since REF: which files a change adds or edits, as git sees them (committed since the
// merge base of REF and HEAD, staged, unstaged and untracked).
#pragma once

#include <map>
#include <string>

namespace mg::cli {

enum class Change { Added, Edited };

// Absolute paths of the changed files in the repository that holds `dir` (the migrations'
// folder; "" the current one); false with `error` when git cannot answer (not a repository,
// unknown ref).
bool changed_files(const std::string &ref, const std::string &dir, std::map<std::string, Change> &changed,
                   std::string &error);

// The absolute, symlink-free form of a path ("" when it does not exist).
std::string canonical_path(const std::string &path);

}  // namespace mg::cli
