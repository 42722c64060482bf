// migration_guard.cast_fails(value anyelement, target text): whether ALTER COLUMN ... TYPE target
// would fail on this value. It applies the same assignment coercion PostgreSQL applies, in a
// subtransaction, so a value that does not convert is counted instead of raising. PostgreSQL code
// only (no C++ objects): it runs once per row inside a data check.
#include "server/pg_prelude.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/executor.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/resowner.h"

PG_FUNCTION_INFO_V1(migration_guard_cast_fails);
Datum migration_guard_cast_fails(PG_FUNCTION_ARGS);
}

namespace {

struct CastPlan {
    bool castable;  // false: no assignment cast exists, so the statement fails anyway
    ExprState *state;
    ExprContext *econtext;
};

CastPlan *plan_cast(FunctionCallInfo fcinfo) {
    MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
    CastPlan *plan = static_cast<CastPlan *>(palloc0(sizeof(CastPlan)));
    const Oid source = get_fn_expr_argtype(fcinfo->flinfo, 0);
    Oid target;
    int32 typmod;
    mg::pg::parse_type_string(text_to_cstring(PG_GETARG_TEXT_PP(1)), &target, &typmod, false);
    CaseTestExpr *input = makeNode(CaseTestExpr);
    input->typeId = source;
    input->typeMod = -1;
    input->collation = get_typcollation(source);
    // USING col::type is an explicit cast: it may take a path assignment does not (text -> bigint).
    const bool explicit_cast = PG_NARGS() > 2 && PG_GETARG_BOOL(2);
    Node *expr = coerce_to_target_type(nullptr, reinterpret_cast<Node *>(input), source, target, typmod,
                                       explicit_cast ? COERCION_EXPLICIT : COERCION_ASSIGNMENT,
                                       explicit_cast ? COERCE_EXPLICIT_CAST : COERCE_IMPLICIT_CAST, -1);
    plan->castable = expr != nullptr;
    if (expr) {
        plan->state = ExecInitExpr(expression_planner(reinterpret_cast<Expr *>(expr)), nullptr);
        plan->econtext = CreateStandaloneExprContext();
    }
    MemoryContextSwitchTo(old);
    return plan;
}

}  // namespace

Datum migration_guard_cast_fails(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_NULL();
    if (!fcinfo->flinfo->fn_extra) fcinfo->flinfo->fn_extra = plan_cast(fcinfo);
    CastPlan *const plan = static_cast<CastPlan *>(fcinfo->flinfo->fn_extra);
    if (!plan->castable) PG_RETURN_BOOL(true);

    MemoryContext caller_context = CurrentMemoryContext;
    ResourceOwner caller_owner = CurrentResourceOwner;
    volatile bool fails = false;
    BeginInternalSubTransaction(nullptr);
    PG_TRY();
    {
        bool isnull;
        plan->econtext->caseValue_datum = PG_GETARG_DATUM(0);
        plan->econtext->caseValue_isNull = false;
        (void) ExecEvalExprSwitchContext(plan->state, plan->econtext, &isnull);
        ResetExprContext(plan->econtext);
        ReleaseCurrentSubTransaction();
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        ErrorData *error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        // A cancel (the data check's own time limit included) is not a conversion failure.
        if (error->sqlerrcode == ERRCODE_QUERY_CANCELED) ReThrowError(error);
        FreeErrorData(error);
        fails = true;
    }
    PG_END_TRY();
    MemoryContextSwitchTo(caller_context);
    CurrentResourceOwner = caller_owner;
    PG_RETURN_BOOL(fails);
}
