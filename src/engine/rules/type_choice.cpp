// prefer-bigint, prefer-text, prefer-timestamptz, prefer-identity: advice on column types chosen
// in CREATE TABLE and ADD COLUMN. Always low: they are about tomorrow, not about this deploy.
#include "engine/rules/rules.hpp"

namespace mg {

namespace {

bool looks_like_key(const std::string &col) {
    return col == "id" || (col.size() > 3 && col.compare(col.size() - 3, 3, "_id") == 0);
}

bool has_identity(const ColumnDef *def) {
    const ListCell *lc;
    foreach (lc, def->constraints) {
        const Constraint *c = static_cast<const Constraint *>(lfirst(lc));
        if (c->contype == CONSTR_IDENTITY) return true;
    }
    return false;
}

}  // namespace

void check_column_type_choice(const ColumnDef *def, const std::string &col, const QualifiedName &table,
                              bool primary_key, RuleContext &ctx) {
    if (!def->typeName) return;
    const DeclaredType type = declared_type(def->typeName);
    const std::string object = table.display() + "." + col;
    const int at = ctx.at(def->location);

    if (type.serial) {
        ctx.add("prefer-identity", at, object,
                "Column " + object + " uses " + type_display(type) +
                    ", whose sequence has separate ownership and permissions",
                "Use " + std::string(type.name == "int2" ? "smallint" : "bigint") +
                    " GENERATED ALWAYS AS IDENTITY instead");
    }
    if (!type.array && (type.name == "int4" || type.name == "int2") &&
        (type.serial || primary_key || has_identity(def) || looks_like_key(col))) {
        ctx.add("prefer-bigint", at, object,
                "Key column " + object + " is " + type_display(type) +
                    ", which runs out at " + (type.name == "int4" ? "2,147,483,647" : "32,767") +
                    "; changing it later rewrites the table",
                "Use bigint (or bigint GENERATED ALWAYS AS IDENTITY) for keys and the columns that "
                "reference them");
    }
    // Element types of arrays count too: varchar(20)[] has the same limit in every element.
    if ((type.name == "varchar" || type.name == "bpchar") && type.typmod >= 0) {
        ctx.add("prefer-text", at, object,
                "Column " + object + " is " + type_display(type) +
                    "; raising the limit later needs an ALTER TABLE, and char(n) pads with spaces",
                "Use text, with CHECK (char_length(" + col + ") <= n) if a limit matters");
    }
    if (type.name == "json") {
        ctx.add("prefer-jsonb", at, object,
                "Column " + object + " is json: stored as text, parsed on every access, with no equality "
                "operator (no DISTINCT, GROUP BY, UNIQUE) and no GIN indexing",
                "Use jsonb, unless the exact text (key order, duplicate keys, spacing) must be kept");
    }
    if (type.name == "timestamp") {
        ctx.add("prefer-timestamptz", at, object,
                "Column " + object + " is timestamp without time zone: the instant it means depends on "
                "the writer's time zone",
                "Use timestamptz; it stores an absolute instant and displays it in the session's time zone");
    }
}

}  // namespace mg
