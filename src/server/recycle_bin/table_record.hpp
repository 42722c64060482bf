// A dropped table is kept as a copy of its rows (copies.hpp) and a record of what makes it the
// table it was: the SQL that recreates it, run at restore time as its owner. PostgreSQL then drops
// the table exactly as it would without the guard (the same cascade, notices and event-trigger
// objects), and nothing the bin holds depends on the live schema (docs/recycle-bin.md).
// PostgreSQL code only: it may ereport.
#pragma once

#include "server/pg_prelude.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace mg::server {

constexpr const char *kKeptSchema = "migration_guard_kept";

// Why `relid` cannot be kept, or nullptr when it can; "" when PostgreSQL will refuse the drop itself
// (dependents without CASCADE). `dropping`: the other tables the statement keeps.
const char *why_not_keepable(Oid relid, const List *dropping, bool restrict_drop);

// The steps that recreate the table (run in order by restore(); see inert.hpp for the steps
// recorded by oid), with the role each runs as in *run_as ("" = the table's owner). Its own
// definition first, its rows (the step "@rows"), then what depends on it from outside (views,
// other tables' foreign keys, policies), which the drop takes with it. Call with the table locked
// and search_path pinned, before it is dropped.
void record_table(Oid relid, const List *dropping, List **steps, List **run_as);

// CREATE POLICY of an existing policy, or nullptr.
char *policy_sql(Oid policy);

// The extension's membership of a kept relation, added or removed.
void set_kept_membership(Oid relid, bool member);

// The bin's schema.
Oid kept_schema_oid();

}  // namespace mg::server
