// The recycle bin (docs/recycle-bin.md): what an allowed or approved DROP TABLE, DROP SCHEMA ...
// CASCADE, DROP OWNED, DROP COLUMN or TRUNCATE takes is kept for migration_guard.keep_for and
// put back by migration_guard.restore().
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/finding.hpp"
#include "server/audit/audit.hpp"
#include "server/pg_prelude.hpp"

namespace mg::server {

// Before the statement is judged: plans what it will keep (into the statement's state), says so
// in the hints of its findings, and adds a `not-kept` finding for what it destroys and cannot
// keep. `emptied`: the relations a TRUNCATE empties, as the engine found them.
void plan_keeping(Node *stmt, std::vector<Finding> &findings, const std::vector<std::string> *emptied = nullptr);

// Once the judgement let the statement through, before it runs: keeps what was planned (DROP
// TABLE: the tables moved aside are taken off the statement's list).
void keep_before_running(Node *stmt);

// The audit rows of the statement are written: kept items waiting for theirs get its id.
void note_audit_ids(const std::vector<AuditRow> &rows, const std::vector<int64_t> &ids);

// sql_drop: a table or column the statement destroyed that the plan never looked at (a cascade it
// could not foresee, e.g. DROP TYPE ... CASCADE taking columns): the recycle bin did not keep it.
bool lost_without_keeping(const std::string &object);

std::string keep_for_text();

// A data change (DELETE, UPDATE, MERGE) judged on these tables, before the judgement: plans to
// keep the rows it deleted or overwrote and says so in the findings' hints.
void plan_data_change_keep(const std::vector<std::pair<Oid, std::string>> &tables, const std::vector<Oid> &overwritten,
                           const std::map<Oid, int64_t> &deleted_rows, std::vector<Finding> &findings);
// Once it was let through: copies those rows (their values before the statement, from command
// `since` on) into the recycle bin. Deleted rows come back with restore(); overwritten ones, by
// the table's primary key.
void keep_data_changes(CommandId since);

}  // namespace mg::server
