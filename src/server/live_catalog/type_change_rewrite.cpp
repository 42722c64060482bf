// Whether ALTER COLUMN ... TYPE rewrites the table, decided as PostgreSQL 15 decides it: the
// column coerced to the new type by assignment (what ALTER TABLE builds when there is no USING),
// simplified by the planner (length coercions that cannot fail go away), then walked as
// ATColumnChangeRequiresRewrite() walks it: relabelings (binary-coercible casts such as citext ↔
// text, varchar → text) keep the stored values; timestamp → timestamptz keeps them when the
// session's TimeZone is UTC; anything else rewrites.
#include "server/boundary.hpp"
#include "server/live_catalog/server_catalog.hpp"

extern "C" {
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/syscache.h"
#include "catalog/pg_type.h"
#include "catalog/pg_namespace.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
}

namespace mg::server {

namespace {

// PostgreSQL's ATColumnChangeRequiresRewrite(), for the expression it builds without USING.
bool requires_rewrite(Node *expr, AttrNumber attnum) {
    for (;;) {
        if (expr == nullptr) return true;
        if (IsA(expr, Var) && reinterpret_cast<Var *>(expr)->varattno == attnum) return false;
        if (IsA(expr, RelabelType)) {
            expr = reinterpret_cast<Node *>(reinterpret_cast<RelabelType *>(expr)->arg);
        } else if (IsA(expr, CoerceToDomain)) {
            CoerceToDomain *d = reinterpret_cast<CoerceToDomain *>(expr);
            if (DomainHasConstraints(d->resulttype)) return true;
            expr = reinterpret_cast<Node *>(d->arg);
        } else if (IsA(expr, FuncExpr)) {
            FuncExpr *f = reinterpret_cast<FuncExpr *>(expr);
            if (f->funcid == F_TIMESTAMPTZ_TIMESTAMP || (f->funcid == F_TIMESTAMP_TIMESTAMPTZ)) {
                if (TimestampTimestampTzRequiresRewrite()) return true;
                expr = static_cast<Node *>(linitial(f->args));
            } else {
                return true;
            }
        } else {
            return true;
        }
    }
}

}  // namespace

std::optional<DeclaredType> ServerCatalog::resolve_type(const TypeName *type) const {
    if (!type) return std::nullopt;
    std::optional<DeclaredType> answer;
    pg_call([&] {
        Oid oid = InvalidOid;
        int32 typmod = -1;
        // As ALTER TABLE resolves it: the statement's own TypeName, the session's search_path. An
        // error (no such type) leaves the answer unknown; the statement fails on it anyway.
        ErrorData *error = pg_subtransaction(
            [&] { typenameTypeIdAndMod(nullptr, const_cast<TypeName *>(type), &oid, &typmod); });
        if (is_interrupt(error)) ReThrowError(error);
        if (error || !OidIsValid(oid)) return;
        DeclaredType t;
        const Oid element = get_element_type(oid);
        const Oid base = OidIsValid(element) ? element : oid;
        t.array = OidIsValid(element);
        t.typmod = typmod;
        HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(base));
        if (!HeapTupleIsValid(tuple)) return;
        const Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
        t.name = NameStr(form->typname);
        t.builtin = form->typnamespace == PG_CATALOG_NAMESPACE;
        ReleaseSysCache(tuple);
        // Qualified and quoted: whatever the search_path, this spelling names this type.
        t.sql = format_type_extended(oid, typmod, FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
        answer = t;
    });
    return answer;
}

std::optional<bool> ServerCatalog::rewrite_free(const QualifiedName &t, const std::string &col,
                                                const std::string &sql_type) const {
    const Oid relid = relation(t);
    if (!OidIsValid(relid)) return std::nullopt;
    std::optional<bool> answer;
    pg_call([&] {
        const AttrNumber attnum = get_attnum(relid, col.c_str());
        if (attnum <= 0) return;
        Oid target = InvalidOid;
        int32 typmod = -1;
        // The type as the engine spells it: a name PostgreSQL reads differently leaves the answer
        // unknown, it does not fail the statement.
        ErrorData *error = pg_subtransaction([&] { mg::pg::parse_type_string(sql_type.c_str(), &target, &typmod, true); });
        if (is_interrupt(error)) ReThrowError(error);
        if (error || !OidIsValid(target)) return;
        Oid source;
        int32 source_typmod;
        Oid collation;
        get_atttypetypmodcoll(relid, attnum, &source, &source_typmod, &collation);
        Node *var = reinterpret_cast<Node *>(makeVar(1, attnum, source, source_typmod, collation, 0));
        Node *expr = coerce_to_target_type(nullptr, var, source, target, typmod, COERCION_ASSIGNMENT,
                                           COERCE_IMPLICIT_CAST, -1);
        if (!expr) return;  // no assignment cast: the statement fails (count_failed_casts says so)
        expr = reinterpret_cast<Node *>(expression_planner(reinterpret_cast<Expr *>(expr)));
        answer = !requires_rewrite(expr, attnum);
    });
    return answer;
}

}  // namespace mg::server
