#include "server/enforcement/executor_hooks.hpp"

#include "server/data_changes/data_changes.hpp"
#include "server/pg_prelude.hpp"

extern "C" {
#include "executor/executor.h"
#include "optimizer/planner.h"
#include "tcop/cmdtag.h"
}

namespace mg::server {

namespace {

planner_hook_type previous_planner = nullptr;
ExecutorStart_hook_type previous_start = nullptr;
ExecutorRun_hook_type previous_run = nullptr;
ExecutorFinish_hook_type previous_finish = nullptr;

// Planning runs code too (an IMMUTABLE function is evaluated while the planner folds constants):
// whatever it changes belongs to the statement being planned, so it nests like a run.
PlannedStmt *guard_planner(Query *parse, const char *query_string, int options, ParamListInfo params) {
    const int depth = data_change_depth_enter();
    PlannedStmt *planned = previous_planner ? previous_planner(parse, query_string, options, params)
                                            : standard_planner(parse, query_string, options, params);
    data_change_depth_leave(depth);
    return planned;
}

void guard_executor_start(QueryDesc *query, int eflags) {
    if (previous_start) previous_start(query, eflags);
    else standard_ExecutorStart(query, eflags);
    // EXPLAIN without ANALYZE plans and changes nothing.
    if (!IsBinaryUpgrade && !(eflags & EXEC_FLAG_EXPLAIN_ONLY)) note_data_change_query(query);
}

// No PG_TRY on this path (every query pays it): an error that unwinds past these hooks ends the
// subtransaction or transaction it happens in, whose abort restores the nesting (data_changes.cpp).
void guard_executor_run(MG_EXECUTOR_RUN_PARAMS) {
    const int depth = data_change_depth_enter();
    if (previous_run) previous_run(MG_EXECUTOR_RUN_ARGS);
    else standard_ExecutorRun(MG_EXECUTOR_RUN_ARGS);
    data_change_depth_leave(depth);
}

// The end of a query: AFTER triggers and foreign keys' cascades have run. The outermost one judges
// what the statement changed, before its result reaches the client.
void guard_executor_finish(QueryDesc *query) {
    const int depth = data_change_depth_enter(true);
    if (previous_finish) previous_finish(query);
    else standard_ExecutorFinish(query);
    data_change_depth_leave(depth, true);
    if (depth == 0)
        judge_data_changes(reinterpret_cast<Node *>(query->plannedstmt), query->sourceText);
}

}  // namespace

void install_executor_hooks() {
    previous_planner = planner_hook;
    planner_hook = guard_planner;
    previous_start = ExecutorStart_hook;
    ExecutorStart_hook = guard_executor_start;
    previous_run = ExecutorRun_hook;
    ExecutorRun_hook = guard_executor_run;
    previous_finish = ExecutorFinish_hook;
    ExecutorFinish_hook = guard_executor_finish;
}

}  // namespace mg::server
