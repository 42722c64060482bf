// The statement as the guard judges it: named objects taken for what they are in the catalog, not
// for what the statement's words call them. PostgreSQL lets ALTER INDEX ... RENAME rename a table,
// view or sequence (and ALTER TABLE ... RENAME anything): judged by the statement's object type,
// a table renamed that way drew no finding.
#pragma once

#include "server/pg_prelude.hpp"

namespace mg::server {

// `stmt`, or a copy whose relation object types follow the relkinds of the named relations
// (ALTER TYPE ... RENAME ATTRIBUTE of a table's row type is RENAME COLUMN of the table).
Node *as_judged(Node *stmt);

// What else the statement changes through a type: ALTER TYPE ... ALTER ATTRIBUTE ... TYPE and
// RENAME ATTRIBUTE with CASCADE change the columns of every table made OF the type, each judged as
// that table's ALTER TABLE.
List *also_judged(Node *stmt);

}  // namespace mg::server
