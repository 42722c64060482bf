// Reading names, types and columns out of raw parse-tree nodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "engine/pg_nodes.hpp"

namespace mg {

std::string str_value(const Node *n);                   // String node → text ("" otherwise)
std::string column_ref_name(const Node *n);             // an unqualified column reference → its name ("" otherwise)
std::vector<std::string> name_list(const List *names);  // List of String → parts
QualifiedName qualified(const RangeVar *rv);
QualifiedName qualified(const List *names);             // [catalog.]schema.name
std::string dotted(const std::vector<std::string> &parts);
// A role as the statement names it: its name, or PUBLIC, CURRENT_USER, CURRENT_ROLE, SESSION_USER.
std::string role_spec_name(const RoleSpec *r);
std::string role_list(const List *rolespecs);  // "alice, PUBLIC"
// A finding's object, "schema.table[.column]", split on its first two dots (names in findings
// are not quoted): the table, and the column in `column` ("" for none). Without a dot: {"", object}.
QualifiedName split_object(const std::string &object, std::string &column);

DeclaredType declared_type(const TypeName *tn);
std::string type_display(const DeclaredType &t);  // "varchar(20)", "integer", ...

const char *object_type_name(ObjectType t);  // "TABLE", "MATERIALIZED VIEW", ...

// Plain-English figures for messages: 1204 → "1,204"; 98304 → "96 kB".
std::string format_count(double n);
std::string format_bytes(int64_t bytes);

}  // namespace mg
