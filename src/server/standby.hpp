// A standby (a server in recovery) writes nothing: the guard's functions that write say so in
// words instead of failing deep inside with their internal SQL.
#pragma once

namespace mg::server {

// Throws UserError (SQLSTATE 25006, read_only_sql_transaction) when the server is in recovery.
void refuse_on_standby(const char *what);

}  // namespace mg::server
