// Templated migrations: Go templates ({{ index .Options "Namespace" }}, supabase/auth), Jinja and
// Handlebars ({{ schema }}), Flyway and Liquibase placeholders (${schema}). The tool fills them in
// before PostgreSQL sees the SQL; the linter reads each as a name, at the same offsets, so the
// statements around them parse and positions stay true.
#pragma once

#include <string>
#include <vector>

namespace mg {

struct Placeholder {
    size_t offset = 0;   // where it starts in the text
    std::string text;    // as written
    std::string name;    // what it is read as ("" when blanked: {{ if ... }}, {{ end }})
};

// The text with every placeholder outside string literals and comments replaced, at the same
// length, by a lower-case name taken from it (a quoted "{{ ... }}" with its quotes). Template
// actions that are not values ({{ if }}, {{ end }}, {{/* */}}) become blanks.
std::string fill_placeholders(const std::string &text, std::vector<Placeholder> &found);

// Whether the text may hold one (a cheap look before fill_placeholders).
bool has_placeholders(const std::string &text);

}  // namespace mg
