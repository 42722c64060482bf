// Checks that need the whole text: a table may get RLS, and a foreign key its index, in a later
// statement of the same migration.
#include <algorithm>
#include <set>

#include "engine/rule_catalog.hpp"
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

void add_late(std::vector<StatementReport> &reports, Finding f) {
    if (f.statement < 1 || f.statement > static_cast<int>(reports.size())) return;
    if (const RuleInfo *info = find_rule(f.rule)) f.category = info->category;
    reports[f.statement - 1].findings.push_back(std::move(f));
}

bool protected_schema(const Options &options, const std::string &schema) {
    return std::find(options.rls_schemas.begin(), options.rls_schemas.end(), schema) != options.rls_schemas.end();
}

}  // namespace

void check_end_of_text(MigrationState &state, const CatalogFacts &catalog, const Options &options,
                       std::vector<StatementReport> &reports) {
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
        f.hint = "ALTER TABLE " + t->name.display() +
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
        f.hint = "CREATE INDEX CONCURRENTLY ON " + fk.table.display() + " (" + cols + ")";
        add_late(reports, std::move(f));
    }
}

}  // namespace mg
