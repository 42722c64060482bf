// Inline suppressions: a finding a team has looked at and accepted, with the reason in the file.
//   -- migration-guard-ignore RULE[,RULE...]: REASON        the next statement
//   -- migration-guard-ignore-file RULE[,RULE...]: REASON   the whole file
// The reason is mandatory: without one (or naming an unknown rule) the comment suppresses
// nothing and is itself a finding (invalid-suppression); one that suppresses nothing is reported
// (unused-suppression). Only the linter reads these comments: the server never takes a comment
// for an approval.
#pragma once

#include <string>
#include <vector>

namespace mg::cli {

struct IgnoreComment {
    bool whole_file = false;
    std::vector<std::string> rules;
    std::string reason;
    int offset = 0;       // of the comment's "--"
    int end = 0;          // end of the comment
    std::string problem;  // why it is invalid; empty when valid
    int uses = 0;
};

// The migration-guard-ignore comments of `text`, in order (only real comments, as PostgreSQL's
// scanner sees them).
std::vector<IgnoreComment> find_ignore_comments(const std::string &text);

}  // namespace mg::cli
