// Moving a dropped table aside, and back: the table itself (with its indexes, constraints, owned
// sequences, comments and privileges) changes schema and name, so keeping it costs the same
// whatever its size. Everything here is PostgreSQL code only: it may ereport.
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace mg::server {

constexpr const char *kKeptSchema = "migration_guard_kept";

// Why `relid` cannot be moved aside whole, or nullptr when it can; "" when PostgreSQL will refuse
// the drop itself (dependents without CASCADE). `dropping` holds the other
// tables the statement moves aside (their links to this one do not stand in the way);
// `restrict_drop`: the statement fails on dependents, so a table that has some is left to it.
const char *why_not_movable(Oid relid, const List *dropping, bool restrict_drop);

// What moving aside did, for putting it back.
struct MovedTable {
    char *schema;        // where it was
    char *name;
    char *schema_owner;  // to recreate the schema if it is dropped too
    Oid owner;           // the table's (the guard owns it while kept)
    char *kept_name;     // its name in migration_guard_kept
    Oid kept_relid;
    List *kept_names;      // indexes and sequences: names now (char *) ...
    List *original_names;  // ... and before
    List *recreate;        // SQL (char *) of what depended on it and was dropped, in creation order
    List *recreate_as;     // the role (char *) each is run as
    int64 bytes;
    double rows;
};

// Moves the table aside (see above): the dependents outside it (views, foreign keys from other
// tables, policies) are recorded and dropped, its own foreign keys to tables that stay are
// recorded and dropped, and it becomes a member of the extension (invisible to pg_dump, and a
// plain DROP of it is refused).
MovedTable *move_aside(Oid relid, const List *dropping);

// Puts a moved table back under its names; raises a clear error when a name is taken.
void move_back(Oid kept_relid, const char *schema, const char *name, const char *schema_owner, Oid owner,
               const List *kept_names, const List *original_names);

// The extension's membership of a kept relation (and of its owned sequences), added or removed.
void set_kept_membership(Oid relid, bool member);

// CREATE POLICY of an existing policy, or nullptr.
char *policy_sql(Oid policy);

// The schema's oid, created when missing.
Oid kept_schema_oid();

}  // namespace mg::server
