// Finds volatile function calls in raw default expressions. PostgreSQL 11+ stores a non-volatile
// ADD COLUMN default in the catalog without touching rows; a volatile one rewrites the table.
#include "engine/depth_guard.hpp"
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

// The first function call of a raw expression (in evaluation order, arguments after the call)
// for which `pick` says true.
using Pick = bool (*)(const FuncCall *, const RuleContext &);

const FuncCall *find_call(const Node *expr, const RuleContext &ctx, Pick pick);

const FuncCall *find_in(const List *list, const RuleContext &ctx, Pick pick) {
    const ListCell *lc;
    foreach (lc, list)
        if (const FuncCall *f = find_call(static_cast<const Node *>(lfirst(lc)), ctx, pick)) return f;
    return nullptr;
}

const FuncCall *find_call(const Node *expr, const RuleContext &ctx, Pick pick) {
    if (!expr) return nullptr;
    const DepthGuard level;
    switch (nodeTag(expr)) {
        case T_FuncCall: {
            const FuncCall *fc = reinterpret_cast<const FuncCall *>(expr);
            if (pick(fc, ctx)) return fc;
            return find_in(fc->args, ctx, pick);
        }
        case T_A_Expr: {
            const A_Expr *e = reinterpret_cast<const A_Expr *>(expr);
            if (const FuncCall *f = find_call(e->lexpr, ctx, pick)) return f;
            return find_call(e->rexpr, ctx, pick);
        }
        case T_TypeCast:
            return find_call(reinterpret_cast<const TypeCast *>(expr)->arg, ctx, pick);
        case T_BoolExpr:
            return find_in(reinterpret_cast<const BoolExpr *>(expr)->args, ctx, pick);
        case T_CoalesceExpr:
            return find_in(reinterpret_cast<const CoalesceExpr *>(expr)->args, ctx, pick);
        case T_MinMaxExpr:
            return find_in(reinterpret_cast<const MinMaxExpr *>(expr)->args, ctx, pick);
        case T_NullTest:
            return find_call(reinterpret_cast<const Node *>(reinterpret_cast<const NullTest *>(expr)->arg), ctx, pick);
        case T_CollateClause:
            return find_call(reinterpret_cast<const CollateClause *>(expr)->arg, ctx, pick);
        case T_CaseExpr: {
            const CaseExpr *c = reinterpret_cast<const CaseExpr *>(expr);
            if (const FuncCall *f = find_call(reinterpret_cast<const Node *>(c->arg), ctx, pick)) return f;
            if (const FuncCall *f = find_call(reinterpret_cast<const Node *>(c->defresult), ctx, pick)) return f;
            const ListCell *lc;
            foreach (lc, c->args) {
                const CaseWhen *w = static_cast<const CaseWhen *>(lfirst(lc));
                if (const FuncCall *f = find_call(reinterpret_cast<const Node *>(w->expr), ctx, pick)) return f;
                if (const FuncCall *f = find_call(reinterpret_cast<const Node *>(w->result), ctx, pick)) return f;
            }
            return nullptr;
        }
        case T_A_ArrayExpr:
            return find_in(reinterpret_cast<const A_ArrayExpr *>(expr)->elements, ctx, pick);
        case T_RowExpr:
            return find_in(reinterpret_cast<const RowExpr *>(expr)->args, ctx, pick);
        case T_List:
            return find_in(reinterpret_cast<const List *>(expr), ctx, pick);
        default:
            // Constants, column references, CURRENT_TIMESTAMP & co. (stable) never rewrite.
            return nullptr;
    }
}

Volatility volatility_of(const FuncCall *fc, const RuleContext &ctx) {
    return ctx.volatility(name_list(fc->funcname), list_length(fc->args));
}

}  // namespace

bool calls_volatile_function(const Node *expr, const RuleContext &ctx) {
    return find_call(expr, ctx, [](const FuncCall *fc, const RuleContext &c) {
               return volatility_of(fc, c) == Volatility::Volatile;
           }) != nullptr;
}

std::string unknown_function_call(const Node *expr, const RuleContext &ctx) {
    const FuncCall *fc = find_call(expr, ctx, [](const FuncCall *f, const RuleContext &c) {
        return volatility_of(f, c) == Volatility::Unknown;
    });
    if (!fc) return {};
    std::string name;
    for (const auto &part : name_list(fc->funcname)) name += (name.empty() ? "" : ".") + part;
    return name;
}

}  // namespace mg
