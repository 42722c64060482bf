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

// One finding per rule, table and statement: a CREATE TABLE with five timestamp columns is one
// decision, not five. The first column's finding is kept (its object stays that column, as
// approvals name it) and its message lists them all.
struct Advice {
    const char *rule;
    std::string single;                                   // the message for one column
    std::string (*plural)(const std::string &columns, const std::string &type);  // "" type: mixed
    std::string hint;
    std::string plural_hint = {};  // when the hint names the one column
};

void advise(RuleContext &ctx, const QualifiedName &table, const std::string &object, const std::string &type,
            int at, const Advice &a) {
    if (ctx.state.column_advice_statement != ctx.statement()) {
        ctx.state.column_advice_statement = ctx.statement();
        ctx.state.column_advice.clear();
    }
    auto &columns = ctx.state.column_advice[std::string(a.rule) + "/" + ctx.state.key(table)];
    columns.emplace_back(object, type);
    if (columns.size() == 1) {
        ctx.add(a.rule, at, object, a.single, a.hint);
        return;
    }
    bool same = true;
    for (const auto &c : columns) same = same && c.second == columns.front().second;
    std::string list;
    for (const auto &[obj, t] : columns) list += (list.empty() ? "" : ", ") + obj + (same ? "" : " (" + t + ")");
    for (size_t i = 0; i < ctx.statement_findings(); ++i) {
        Finding &f = ctx.finding(i);
        if (f.rule != a.rule || f.object != columns.front().first) continue;
        f.message = a.plural(list, same ? columns.front().second : std::string());
        if (!a.plural_hint.empty()) f.hint = a.plural_hint;
        return;
    }
}

}  // namespace

void check_column_type_choice(const ColumnDef *def, const std::string &col, const QualifiedName &table,
                              bool primary_key, RuleContext &ctx) {
    if (!def->typeName) return;
    const DeclaredType type = declared_type(def->typeName);
    const std::string object = table.display() + "." + col;
    const int at = ctx.at(def->location);

    if (type.serial) {
        advise(ctx, table, object, type_display(type), at,
               {"prefer-identity",
                "Column " + object + " uses " + type_display(type) +
                    ", whose sequence has separate ownership and permissions",
                [](const std::string &cols, const std::string &t) {
                    return "Columns " + cols + " use " + (t.empty() ? "serial types" : t) +
                           ", whose sequences have separate ownership and permissions";
                },
                "Use " + std::string(type.name == "int2" ? "smallint" : "bigint") +
                    " GENERATED ALWAYS AS IDENTITY instead"});
    }
    if (!type.array && (type.name == "int4" || type.name == "int2") &&
        (type.serial || primary_key || has_identity(def) || looks_like_key(col))) {
        advise(ctx, table, object, type_display(type), at,
               {"prefer-bigint",
                "Key column " + object + " is " + type_display(type) + ", which runs out at " +
                    (type.name == "int4" ? "2,147,483,647" : "32,767") + "; changing it later rewrites the table",
                [](const std::string &cols, const std::string &t) {
                    return "Key columns " + cols + " are " + (t.empty() ? "2- or 4-byte integers" : t) +
                           ", which run out at 2,147,483,647 or sooner; changing them later rewrites the table";
                },
                "Use bigint (or bigint GENERATED ALWAYS AS IDENTITY) for keys and the columns that "
                "reference them"});
    }
    // Element types of arrays count too: varchar(20)[] has the same limit in every element.
    if ((type.name == "varchar" || type.name == "bpchar") && type.typmod >= 0) {
        advise(ctx, table, object, type_display(type), at,
               {"prefer-text",
                "Column " + object + " is " + type_display(type) +
                    "; raising the limit later needs an ALTER TABLE, and char(n) pads with spaces",
                [](const std::string &cols, const std::string &t) {
                    return "Columns " + cols + " are " + (t.empty() ? "limited in length" : t) +
                           "; raising a limit later needs an ALTER TABLE, and char(n) pads with spaces";
                },
                "Use text, with CHECK (char_length(" + col + ") <= n) if a limit matters",
                "Use text, with CHECK (char_length(column) <= n) where a limit matters"});
    }
    if (type.name == "json") {
        advise(ctx, table, object, "json", at,
               {"prefer-jsonb",
                "Column " + object + " is json: stored as text, parsed on every access, with no equality "
                "operator (no DISTINCT, GROUP BY, UNIQUE) and no GIN indexing",
                [](const std::string &cols, const std::string &) {
                    return "Columns " + cols + " are json: stored as text, parsed on every access, with no "
                           "equality operator (no DISTINCT, GROUP BY, UNIQUE) and no GIN indexing";
                },
                "Use jsonb, unless the exact text (key order, duplicate keys, spacing) must be kept"});
    }
    if (type.name == "timestamp") {
        advise(ctx, table, object, "timestamp", at,
               {"prefer-timestamptz",
                "Column " + object + " is timestamp without time zone: the instant it means depends on "
                "the writer's time zone",
                [](const std::string &cols, const std::string &) {
                    return "Columns " + cols + " are timestamp without time zone: the instant each means "
                           "depends on the writer's time zone";
                },
                "Use timestamptz; it stores an absolute instant and displays it in the session's time zone"});
    }
}

}  // namespace mg
