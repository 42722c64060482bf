// What a schema says exists, offline: `pg_dump --schema-only`, Rails' structure.sql, or a
// project's earlier migrations. Tables, their columns with types and NOT NULL, constraints and
// indexes are known, so a rule that needs only the schema (is this type change a rewrite? is
// there an index for this foreign key?) answers as the server would. Sizes and data stay
// unknown: nothing is ever judged empty or small from a schema.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/catalog.hpp"
#include "offline/raw_parser.hpp"

namespace mg {

class SchemaCatalog : public StaticCatalog {
public:
    // Reads DDL, statement by statement as PostgreSQL would run it; what it does not model is
    // skipped. psql meta-commands (pg_dump's \restrict) are ignored. False, with the error and
    // its position, when the text does not parse.
    bool load(const std::string &sql, ParseError &error);

    std::optional<std::string> schema_of(const QualifiedName &t) const override;
    std::optional<ColumnFacts> column(const QualifiedName &t, const std::string &col) const override;
    std::optional<ConstraintFacts> constraint(const QualifiedName &t, const std::string &name) const override;
    std::optional<bool> has_index_leading(const QualifiedName &t, const std::vector<std::string> &cols) const override;
    // The schema's own functions (by name, the most volatile of its overloads), then the built-in ones.
    Volatility function_volatility(const std::vector<std::string> &name, int nargs) const override;

    struct Table {
        std::map<std::string, ColumnFacts> columns;
        std::map<std::string, ConstraintFacts> constraints;
        std::vector<std::vector<std::string>> indexes;  // key columns, in order
    };

private:
    const Table *find(const QualifiedName &t) const;
    Table *find(const QualifiedName &t);
    void apply(const void *stmt);

    std::map<std::string, Table> tables_;  // "schema.name"
    std::map<std::string, Volatility> functions_;  // function name
};

}  // namespace mg
