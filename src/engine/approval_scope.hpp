// What an approval covers: rule ids (or "*") on object patterns. Objects are schema-qualified
// names as findings report them ("public.users", "public.users.email"); `*` in a pattern matches
// any run of characters, dots included, so "public.users.*" covers every column and constraint
// of public.users and "public.*" everything in public. A backslash makes the next character
// literal, so an object literally named "*" is approved as "public.\*" and nothing else.
#pragma once

#include <string>
#include <vector>

namespace mg {

bool glob_match(const std::string &pattern, const std::string &text);
// The pattern that matches exactly this object name (its `*` and `\` escaped).
std::string literal_pattern(const std::string &name);

struct ApprovalScope {
    std::vector<std::string> rules;
    std::vector<std::string> objects;

    bool covers(const std::string &rule, const std::string &object) const;
};

}  // namespace mg
