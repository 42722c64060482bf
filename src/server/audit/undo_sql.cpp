#include "server/audit/undo_sql.hpp"

#include "server/boundary.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/pinned_path.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/pg_constraint.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {

// Runs `print` (PostgreSQL code: a palloc'd string, or nullptr for "not known") with search_path
// pinned, so every name not in pg_catalog comes out schema-qualified; the C++ string is made after.
template <typename F>
std::optional<std::string> printed(F &&print) {
    const char *text = nullptr;
    pg_call([&] { with_pinned_search_path([&] { text = print(); }); });
    if (!text) return std::nullopt;
    return std::string(text);
}

// The catalog before the statement runs.
class LivePrior : public PriorSchema {
public:
    explicit LivePrior(const ServerCatalog &catalog) : catalog_(catalog) {}

    std::optional<std::string> column_type(const QualifiedName &t, const std::string &col) const override {
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return std::nullopt;
        return printed([&]() -> const char * {
            const AttrNumber a = get_attnum(relid, col.c_str());
            if (a <= 0) return nullptr;
            Oid type, collation;
            int32 typmod;
            get_atttypetypmodcoll(relid, a, &type, &typmod, &collation);
            return format_type_with_typemod(type, typmod);
        });
    }

    // "" when the column had no default.
    std::optional<std::string> column_default(const QualifiedName &t, const std::string &col) const override {
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return std::nullopt;
        return printed([&]() -> const char * {
            const AttrNumber a = get_attnum(relid, col.c_str());
            if (a <= 0) return nullptr;
            const char *out = "";
            Relation rel = relation_open(relid, AccessShareLock);
            const TupleConstr *constr = RelationGetDescr(rel)->constr;
            for (int i = 0; constr && i < constr->num_defval; i++)
                if (constr->defval[i].adnum == a)
                    out = TextDatumGetCString(DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(constr->defval[i].adbin),
                                                                  ObjectIdGetDatum(relid)));
            relation_close(rel, AccessShareLock);
            return out;
        });
    }

    std::optional<std::string> constraint_definition(const QualifiedName &t, const std::string &name,
                                                     char &kind) const override {
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return std::nullopt;
        return printed([&]() -> const char * {
            const Oid con = get_relation_constraint_oid(relid, name.c_str(), true);
            HeapTuple tuple = OidIsValid(con) ? SearchSysCache1(CONSTROID, ObjectIdGetDatum(con)) : nullptr;
            if (!HeapTupleIsValid(tuple)) return nullptr;
            kind = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple))->contype;
            ReleaseSysCache(tuple);
            return TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con)));
        });
    }

    std::optional<std::string> not_null_constraint(const QualifiedName &t, const std::string &col) const override {
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return std::nullopt;
        return printed([&]() -> const char * { return mg::pg::not_null_constraint_name(relid, col.c_str()); });
    }

    std::optional<std::string> index_definition(const QualifiedName &index) const override {
        const Oid relid = catalog_.relation(index);
        if (!OidIsValid(relid)) return std::nullopt;
        return printed([&]() -> const char * {
            if (get_rel_relkind(relid) != RELKIND_INDEX) return nullptr;
            return TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(relid)));
        });
    }

private:
    const ServerCatalog &catalog_;
};

}  // namespace

std::vector<UndoStep> undo_before(Node *stmt, const ServerCatalog &catalog) {
    const LivePrior prior(catalog);
    return undo_steps(stmt, catalog, prior);
}

std::string render_undo(const std::vector<UndoStep> &steps, const std::vector<std::pair<int64_t, std::string>> &restores,
                        const std::string &statement) {
    std::string out;
    bool restored = false;
    auto line = [&out](const std::string &l) { out += (out.empty() ? "" : "\n") + l; };
    for (const UndoStep &s : steps) {
        switch (s.kind) {
            case UndoStep::Kind::Sql:
                line(s.note.empty() ? one_line_sql(s.sql) : one_line_sql(s.sql) + "  -- " + comment_text(s.note));
                break;
            case UndoStep::Kind::Kept:
                if (!restores.empty()) {
                    if (restored) break;
                    restored = true;
                    for (const auto &[id, object] : restores)
                        line("SELECT migration_guard.restore(" + std::to_string(id) + ");  -- " + comment_text(object) +
                             " from the recycle bin");
                } else {
                    line("-- not undone: " + comment_text(s.why) + "; only a backup brings it back: " + one_line(statement));
                }
                break;
            case UndoStep::Kind::Cannot: line("-- cannot undo: " + comment_text(s.why) + ": " + one_line(statement)); break;
        }
    }
    return out;
}

}  // namespace mg::server
