// The statement as the guard judges it: named objects taken for what they are in the catalog, not
// for what the statement's words call them. PostgreSQL lets ALTER INDEX ... RENAME rename a table,
// view or sequence (and ALTER TABLE ... RENAME anything): judged by the statement's object type,
// a table renamed that way drew no finding.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// `stmt`, or a copy whose relation object types follow the relkinds of the named relations.
Node *as_judged(Node *stmt);

}  // namespace mg::server
