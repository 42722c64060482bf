#include "engine_helpers.hpp"

#include <algorithm>
#include <stdexcept>

namespace mg::test {

namespace {
std::string full(const QualifiedName &t) { return (t.schema.empty() ? "public" : t.schema) + "." + t.name; }
}  // namespace

std::optional<TableFacts> ScriptedCatalog::table(const QualifiedName &t) const {
    auto it = tables.find(full(t));
    if (it == tables.end()) return std::nullopt;
    return it->second;
}

std::optional<ColumnFacts> ScriptedCatalog::column(const QualifiedName &t, const std::string &col) const {
    auto it = columns.find(full(t) + "." + col);
    if (it == columns.end()) return std::nullopt;
    return it->second;
}

std::optional<ConstraintFacts> ScriptedCatalog::constraint(const QualifiedName &t, const std::string &name) const {
    auto it = constraints.find(full(t) + "." + name);
    if (it == constraints.end()) return std::nullopt;
    return it->second;
}

std::optional<bool> ScriptedCatalog::has_index_leading(const QualifiedName &t,
                                                       const std::vector<std::string> &cols) const {
    std::string key = full(t) + "(";
    for (size_t i = 0; i < cols.size(); ++i) key += (i ? "," : "") + cols[i];
    key += ")";
    auto it = indexed.find(key);
    if (it == indexed.end()) return std::nullopt;
    return it->second;
}

bool ScriptedCatalog::schema_uses_rls(const std::string &schema) const {
    return std::find(rls_schemas.begin(), rls_schemas.end(), schema) != rls_schemas.end();
}

std::vector<StatementReport> run(const std::string &sql, const CatalogFacts &catalog, const Options &options) {
    std::vector<StatementReport> reports;
    ParseError error;
    if (!analyze_text(sql, catalog, options, reports, error))
        throw std::runtime_error("parse error: " + error.message + " at " + std::to_string(error.location));
    return reports;
}

std::vector<Finding> findings(const std::string &sql, const CatalogFacts &catalog, const Options &options) {
    std::vector<Finding> out;
    for (auto &r : run(sql, catalog, options))
        for (auto &f : r.findings) out.push_back(f);
    return out;
}

std::vector<std::string> rule_ids(const std::string &sql, const CatalogFacts &catalog) {
    std::vector<std::string> ids;
    for (const auto &f : findings(sql, catalog)) ids.push_back(f.rule);
    std::sort(ids.begin(), ids.end());
    return ids;
}

const Finding *find(const std::vector<Finding> &all, const std::string &rule) {
    for (const auto &f : all)
        if (f.rule == rule) return &f;
    return nullptr;
}

Risk highest(const std::vector<StatementReport> &reports) {
    Risk r = Risk::Low;
    for (const auto &s : reports) r = max_risk(r, s.risk());
    return r;
}

}  // namespace mg::test
