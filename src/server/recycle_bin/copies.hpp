// Copies the recycle bin makes before a statement destroys data: the rows of a dropped or
// truncated table, the values of a dropped column (with the row's key). PostgreSQL code only.
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace mg::server {

struct KeptCopy {
    char *kept_name;
    Oid kept_relid;
    int64 bytes;
    double rows;
    // DROP COLUMN
    List *key_columns;  // char *; empty with by_ctid
    bool by_ctid;
    char *column_type;     // format_type with typmod, and COLLATE when not the type's default
    char *column_default;  // pg_get_expr, or nullptr
    bool not_null;
    List *recreate;  // indexes and constraints that go with the column (char * SQL)
    // TRUNCATE: the columns that take values ("name type" joined by ", "), to check the shape;
    // DROP COLUMN: the column's type by oid (a restore step, see inert.hpp)
    char *shape;
};

// The estimated size of the copy, or a reason (char *) in *why when it cannot be made.
int64 column_copy_size(Oid relid, AttrNumber attnum, const char **why);
int64 rows_copy_size(Oid relid);

KeptCopy *copy_column(Oid relid, AttrNumber attnum);
// DROP TABLE: the rows (generated columns come back from their expressions).
KeptCopy *copy_table(Oid relid);
KeptCopy *copy_rows(Oid relid);
// A data change: the rows the transaction deleted or overwrote from command `since` on (their
// values before), with the table's primary key columns in key_columns (empty without one).
KeptCopy *copy_changed_rows(Oid relid, CommandId since);

// The table's columns that take values (not dropped, not generated): "name type, ..." as
// copy_rows() records them to check the shape, and the names alone as it copies them.
char *table_shape(Oid relid);
char *table_columns(Oid relid);
// The same columns read from the kept copy `alias`, cast back to the table's types.
char *restored_columns(Oid relid, const char *alias);

}  // namespace mg::server
