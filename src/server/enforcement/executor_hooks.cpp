#include "server/enforcement/executor_hooks.hpp"

#include "server/data_changes/data_changes.hpp"
#include "server/pg_prelude.hpp"

extern "C" {
#include "executor/executor.h"
#include "tcop/cmdtag.h"
}

namespace mg::server {

namespace {

ExecutorStart_hook_type previous_start = nullptr;
ExecutorRun_hook_type previous_run = nullptr;
ExecutorFinish_hook_type previous_finish = nullptr;

void guard_executor_start(QueryDesc *query, int eflags) {
    if (previous_start) previous_start(query, eflags);
    else standard_ExecutorStart(query, eflags);
    // EXPLAIN without ANALYZE plans and changes nothing.
    if (!IsBinaryUpgrade && !(eflags & EXEC_FLAG_EXPLAIN_ONLY)) note_data_change_query(query);
}

void guard_executor_run(QueryDesc *query, ScanDirection direction, uint64 count, bool execute_once) {
    const int depth = data_change_depth_enter();
    PG_TRY();
    {
        if (previous_run) previous_run(query, direction, count, execute_once);
        else standard_ExecutorRun(query, direction, count, execute_once);
    }
    PG_FINALLY();
    {
        data_change_depth_leave(depth);
    }
    PG_END_TRY();
}

// The end of a query: AFTER triggers and foreign keys' cascades have run. The outermost one judges
// what the statement changed, before its result reaches the client.
void guard_executor_finish(QueryDesc *query) {
    const int depth = data_change_depth_enter(true);
    PG_TRY();
    {
        if (previous_finish) previous_finish(query);
        else standard_ExecutorFinish(query);
    }
    PG_FINALLY();
    {
        data_change_depth_leave(depth, true);
    }
    PG_END_TRY();
    if (depth == 0)
        judge_data_changes(GetCommandTagName(CreateCommandTag(reinterpret_cast<Node *>(query->plannedstmt))),
                           query->sourceText);
}

}  // namespace

void install_executor_hooks() {
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = guard_executor_start;
    previous_run = ExecutorRun_hook;
    ExecutorRun_hook = guard_executor_run;
    previous_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = guard_executor_finish;
}

}  // namespace mg::server
