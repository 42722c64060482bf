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

// The catalog before the statement runs. Definitions are printed with search_path pinned, so
// every name not in pg_catalog comes out schema-qualified.
class LivePrior : public PriorSchema {
public:
    explicit LivePrior(const ServerCatalog &catalog) : catalog_(catalog) {}

    std::optional<std::string> column_type(const QualifiedName &t, const std::string &col) const override {
        std::optional<std::string> out;
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return out;
        pg_call([&] {
            with_pinned_search_path([&] {
                const AttrNumber a = get_attnum(relid, col.c_str());
                if (a <= 0) return;
                Oid type;
                int32 typmod;
                Oid collation;
                get_atttypetypmodcoll(relid, a, &type, &typmod, &collation);
                out = format_type_with_typemod(type, typmod);
            });
        });
        return out;
    }

    std::optional<std::string> column_default(const QualifiedName &t, const std::string &col) const override {
        std::optional<std::string> out;
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return out;
        pg_call([&] {
            with_pinned_search_path([&] {
                const AttrNumber a = get_attnum(relid, col.c_str());
                if (a <= 0) return;
                out = std::string();
                Relation rel = relation_open(relid, AccessShareLock);
                const TupleConstr *constr = RelationGetDescr(rel)->constr;
                for (int i = 0; constr && i < constr->num_defval; i++)
                    if (constr->defval[i].adnum == a)
                        *out = TextDatumGetCString(DirectFunctionCall2(
                            pg_get_expr, CStringGetTextDatum(constr->defval[i].adbin), ObjectIdGetDatum(relid)));
                relation_close(rel, AccessShareLock);
            });
        });
        return out;
    }

    std::optional<std::string> constraint_definition(const QualifiedName &t, const std::string &name,
                                                     char &kind) const override {
        std::optional<std::string> out;
        const Oid relid = catalog_.relation(t);
        if (!OidIsValid(relid)) return out;
        pg_call([&] {
            with_pinned_search_path([&] {
                const Oid con = get_relation_constraint_oid(relid, name.c_str(), true);
                if (!OidIsValid(con)) return;
                HeapTuple tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(con));
                if (!HeapTupleIsValid(tuple)) return;
                kind = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple))->contype;
                ReleaseSysCache(tuple);
                out = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con)));
            });
        });
        return out;
    }

    std::optional<std::string> index_definition(const QualifiedName &index) const override {
        std::optional<std::string> out;
        const Oid relid = catalog_.relation(index);
        if (!OidIsValid(relid)) return out;
        pg_call([&] {
            with_pinned_search_path([&] {
                if (get_rel_relkind(relid) != RELKIND_INDEX) return;
                out = TextDatumGetCString(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(relid)));
            });
        });
        return out;
    }

private:
    const ServerCatalog &catalog_;
};

// The statement on one line, shortened, for a comment.
std::string one_line(const std::string &statement) {
    std::string out;
    for (char c : statement) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    if (out.size() > 120) out = out.substr(0, 117) + "...";
    return out;
}

}  // namespace

std::vector<UndoStep> undo_before(Node *stmt) {
    const ServerCatalog catalog;
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
                line(s.note.empty() ? s.sql : s.sql + "  -- " + s.note);
                break;
            case UndoStep::Kind::Kept:
                if (!restores.empty()) {
                    if (restored) break;
                    restored = true;
                    for (const auto &[id, object] : restores)
                        line("SELECT migration_guard.restore(" + std::to_string(id) + ");  -- " + object +
                             " from the recycle bin");
                } else {
                    line("-- not undone: " + s.why + "; only a backup brings it back: " + one_line(statement));
                }
                break;
            case UndoStep::Kind::Cannot: line("-- cannot undo: " + s.why + ": " + one_line(statement)); break;
        }
    }
    return out;
}

}  // namespace mg::server
