// Running the engine on SQL text in tests, with the static catalog or a scripted one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/analyzer.hpp"
#include "offline/raw_parser.hpp"

namespace mg::test {

// A catalog whose answers a test sets up: the server's view without a server.
class ScriptedCatalog : public StaticCatalog {
public:
    std::map<std::string, TableFacts> tables;          // "schema.name"
    std::map<std::string, ColumnFacts> columns;        // "schema.table.column"
    std::map<std::string, ConstraintFacts> constraints;  // "schema.table.name"
    std::map<std::string, bool> indexed;               // "schema.table(a,b)"
    std::vector<std::string> rls_schemas;
    bool lock_timeout = false;

    std::optional<TableFacts> table(const QualifiedName &t) const override;
    std::optional<ColumnFacts> column(const QualifiedName &t, const std::string &col) const override;
    std::optional<ConstraintFacts> constraint(const QualifiedName &t, const std::string &name) const override;
    std::optional<bool> has_index_leading(const QualifiedName &t,
                                          const std::vector<std::string> &cols) const override;
    bool schema_uses_rls(const std::string &schema) const override;
    bool session_lock_timeout() const override { return lock_timeout; }
};

std::vector<StatementReport> run(const std::string &sql, const CatalogFacts &catalog = StaticCatalog{},
                                 const Options &options = {});
std::vector<Finding> findings(const std::string &sql, const CatalogFacts &catalog = StaticCatalog{},
                              const Options &options = {});
std::vector<std::string> rule_ids(const std::string &sql, const CatalogFacts &catalog = StaticCatalog{});
const Finding *find(const std::vector<Finding> &all, const std::string &rule);
Risk highest(const std::vector<StatementReport> &reports);

}  // namespace mg::test
