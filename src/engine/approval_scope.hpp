// What an approval covers: rule ids (or "*") on object patterns. Objects are schema-qualified
// names as findings report them ("public.users", "public.users.email"); `*` in a pattern matches
// any run of characters, dots included, so "public.users.*" covers every column and constraint
// of public.users and "public.*" everything in public.
#pragma once

#include <string>
#include <vector>

namespace mg {

bool glob_match(const std::string &pattern, const std::string &text);

struct ApprovalScope {
    std::vector<std::string> rules;
    std::vector<std::string> objects;

    bool covers(const std::string &rule, const std::string &object) const;
};

}  // namespace mg
