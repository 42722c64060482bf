// Checks that need the whole text: a table may get RLS, and a foreign key its index, in a later
// statement of the same migration.
#include <algorithm>
#include <set>

#include "engine/rule_catalog.hpp"
#include "engine/rules/rules.hpp"
#include "engine/undo.hpp"

namespace mg {

namespace {

void add_late(std::vector<StatementReport> &reports, Finding f) {
    if (f.statement < 1 || f.statement > static_cast<int>(reports.size())) return;
    if (const RuleInfo *info = find_rule(f.rule)) f.category = info->category;
    reports[f.statement - 1].findings.push_back(std::move(f));
}

// Whether `events[key]` has one after the drop, in its transaction.
bool later_in_transaction(const std::map<std::string, std::vector<std::pair<int, int>>> &events, const std::string &key,
                          const MigrationState::DroppedConstraint &d) {
    const auto it = events.find(key);
    if (it == events.end()) return false;
    for (const auto &[statement, transaction] : it->second)
        if (statement > d.statement && transaction == d.transaction) return true;
    return false;
}

bool protected_schema(const Options &options, const std::string &schema) {
    return std::find(options.rls_schemas.begin(), options.rls_schemas.end(), schema) != options.rls_schemas.end();
}

}  // namespace

void check_end_of_text(MigrationState &state, const CatalogFacts &catalog, const Options &options,
                       std::vector<StatementReport> &reports) {
    // A constraint dropped and then added back under its name, or whose table is dropped, later in
    // the same transaction (ORMs' way to change a foreign key's ON DELETE, or to rebuild a table)
    // was never missing for anyone else: no drop-constraint.
    for (const auto &d : state.dropped_constraint_findings) {
        if (!options.whole_text) break;  // the server judges each drop as it runs
        if (!later_in_transaction(state.constraint_additions, d.key, d) &&
            !later_in_transaction(state.table_drops, d.table_key, d))
            continue;
        if (d.statement < 1 || d.statement > static_cast<int>(reports.size())) continue;
        auto &fs = reports[d.statement - 1].findings;
        const auto it = std::find_if(fs.begin(), fs.end(), [&](const Finding &f) {
            return f.rule == "drop-constraint" && f.object == d.label;
        });
        if (it != fs.end()) fs.erase(it);
    }

    std::set<std::string> seen;
    for (const auto &key : state.created_table_order) {
        if (!seen.insert(key).second) continue;
        const NewTable *t = state.table_by_key(key);
        if (!t || t->temporary || t->rls || !protected_schema(options, t->name.schema)) continue;
        const bool schema_uses_rls =
            state.schema_has_rls_table(t->name.schema) || catalog.schema_uses_rls(t->name.schema);
        Finding f;
        f.rule = "table-without-rls";
        f.risk = schema_uses_rls ? Risk::Medium : Risk::Low;
        f.statement = t->statement;
        f.location = t->location;
        f.object = t->name.display();
        f.message = "New table " + t->name.display() + " in schema " + t->name.schema +
                    " has no row level security" +
                    (schema_uses_rls ? ", while other tables of the schema do: every role with table privileges "
                                       "sees every row"
                                     : "; any role granted access sees every row");
        f.hint = "ALTER TABLE " + quote_name(t->name) +
                 " ENABLE ROW LEVEL SECURITY; then CREATE POLICY for who may see which rows";
        add_late(reports, std::move(f));
    }

    for (const auto &fk : state.foreign_keys) {
        if (state.has_index_leading(fk.table_key, fk.columns)) continue;
        if (!state.table_by_key(fk.table_key)) {
            auto has = catalog.has_index_leading(fk.table, fk.columns);
            if (!has || *has) continue;  // unknown (no catalog) or indexed
        }
        std::string cols;
        for (const auto &c : fk.columns) cols += (cols.empty() ? "" : ", ") + c;
        Finding f;
        f.rule = "fk-without-index";
        f.risk = fk.additive ? Risk::Low : Risk::Medium;
        f.statement = fk.statement;
        f.location = fk.location;
        f.object = fk.table.display() + " (" + cols + ")";
        f.message = "Foreign key columns (" + cols + ") of " + fk.table.display() +
                    " have no index: every DELETE or key UPDATE on the referenced table scans " +
                    fk.table.display();
        std::string quoted;
        for (const auto &c : fk.columns) quoted += (quoted.empty() ? "" : ", ") + quote_ident(c);
        f.hint = "CREATE INDEX CONCURRENTLY ON " + quote_name(fk.table) + " (" + quoted + ")";
        add_late(reports, std::move(f));
    }
}

}  // namespace mg
