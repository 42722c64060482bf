// When the guard's functions cannot work here, they say so in words instead of failing deep inside
// with their internal SQL: on a standby (a server in recovery, which writes nothing), and when the
// extension's SQL in this database is of a version this library does not serve.
#pragma once

#include <string>

namespace mg::server {

// The library's version (the one CREATE EXTENSION installs with it).
const char *library_version();
// The SQL version installed in this database ("" when not installed). May throw PgError.
std::string installed_sql_version();

// Throws UserError: SQLSTATE 25006 (read_only_sql_transaction) when the server is in recovery;
// 55000 (object_not_in_prerequisite_state) when the installed SQL is older than the oldest this
// library serves, or newer than the library.
void refuse_unusable(const char *what);

}  // namespace mg::server
