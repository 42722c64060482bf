// Finds volatile function calls in raw default expressions. PostgreSQL 11+ stores a non-volatile
// ADD COLUMN default in the catalog without touching rows; a volatile one rewrites the table.
#include "engine/depth_guard.hpp"
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

bool any_volatile(const List *list, const RuleContext &ctx) {
    const ListCell *lc;
    foreach (lc, list)
        if (calls_volatile_function(static_cast<const Node *>(lfirst(lc)), ctx)) return true;
    return false;
}

}  // namespace

bool calls_volatile_function(const Node *expr, const RuleContext &ctx) {
    if (!expr) return false;
    const DepthGuard level;
    switch (nodeTag(expr)) {
        case T_FuncCall: {
            const FuncCall *fc = reinterpret_cast<const FuncCall *>(expr);
            if (ctx.volatility(name_list(fc->funcname), list_length(fc->args)) == Volatility::Volatile)
                return true;
            return any_volatile(fc->args, ctx);
        }
        case T_A_Expr: {
            const A_Expr *e = reinterpret_cast<const A_Expr *>(expr);
            return calls_volatile_function(e->lexpr, ctx) || calls_volatile_function(e->rexpr, ctx);
        }
        case T_TypeCast:
            return calls_volatile_function(reinterpret_cast<const TypeCast *>(expr)->arg, ctx);
        case T_BoolExpr:
            return any_volatile(reinterpret_cast<const BoolExpr *>(expr)->args, ctx);
        case T_CoalesceExpr:
            return any_volatile(reinterpret_cast<const CoalesceExpr *>(expr)->args, ctx);
        case T_MinMaxExpr:
            return any_volatile(reinterpret_cast<const MinMaxExpr *>(expr)->args, ctx);
        case T_NullTest:
            return calls_volatile_function(
                reinterpret_cast<const Node *>(reinterpret_cast<const NullTest *>(expr)->arg), ctx);
        case T_CollateClause:
            return calls_volatile_function(reinterpret_cast<const CollateClause *>(expr)->arg, ctx);
        case T_CaseExpr: {
            const CaseExpr *c = reinterpret_cast<const CaseExpr *>(expr);
            if (calls_volatile_function(reinterpret_cast<const Node *>(c->arg), ctx)) return true;
            if (calls_volatile_function(reinterpret_cast<const Node *>(c->defresult), ctx)) return true;
            const ListCell *lc;
            foreach (lc, c->args) {
                const CaseWhen *w = static_cast<const CaseWhen *>(lfirst(lc));
                if (calls_volatile_function(reinterpret_cast<const Node *>(w->expr), ctx) ||
                    calls_volatile_function(reinterpret_cast<const Node *>(w->result), ctx))
                    return true;
            }
            return false;
        }
        case T_A_ArrayExpr:
            return any_volatile(reinterpret_cast<const A_ArrayExpr *>(expr)->elements, ctx);
        case T_RowExpr:
            return any_volatile(reinterpret_cast<const RowExpr *>(expr)->args, ctx);
        case T_List:
            return any_volatile(reinterpret_cast<const List *>(expr), ctx);
        default:
            // Constants, column references, CURRENT_TIMESTAMP & co. (stable) never rewrite.
            return false;
    }
}

}  // namespace mg
