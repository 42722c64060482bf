// Data changes (docs/data-changes.md): DELETE, UPDATE and MERGE are judged by the rows they
// delete or overwrite, from any path (plain statements, prepared statements, functions, DO
// blocks, CTEs, triggers, ON DELETE CASCADE / SET NULL), once per outermost statement, after it
// ran and before it returns: a blocked change aborts with the transaction and leaves the data as
// it was. The executor hooks (enforcement/executor_hooks.cpp) feed it:
//   - at each query's start, the tables it may delete from or update and the transaction's counts
//     of their deleted and updated rows (pgstat), and whether it reads them without any filter;
//   - at the end of the outermost statement, the counts again: the difference is what the
//     statement did to each table, cascades and nested calls included.
// Ordinary traffic pays a list look-up per changing query and one comparison per table.
#pragma once

#include <vector>

#include "engine/finding.hpp"
#include "server/pg_prelude.hpp"

extern "C" {
#include "executor/execdesc.h"
}

namespace mg::server {

// After standard_ExecutorStart. PostgreSQL code only.
void note_data_change_query(QueryDesc *query);

// Statements nest (a DELETE in a function called by a SELECT, a DO block); only the outermost
// one judges. Entered by every executor run and finish and every utility statement.
// `finish`: an ExecutorFinish, where AFTER triggers and foreign keys' cascades run.
int data_change_depth_enter(bool finish = false);
void data_change_depth_leave(int depth_before, bool finish = false);

// The outermost statement has finished: judges what it changed (may raise the blocking error).
// `statement` gives its command tag (a PlannedStmt or a utility statement), `text` is its text
// (`length` bytes of it; 0: to its end). PostgreSQL code only (ereports).
void judge_data_changes(Node *statement, const char *text, int length = 0);

// A dry run, right after one statement ran (before it is rolled back): the findings judging would
// make of what it changed, without judging; the tallies are consumed. May throw.
std::vector<Finding> data_change_findings_now();

// Forgets the pending tallies when a transaction or subtransaction aborts.
void init_data_changes();

}  // namespace mg::server
