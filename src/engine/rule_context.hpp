// What a rule sees while judging one statement: the catalog, the migration so far, the options,
// and a way to report findings.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/analyzer.hpp"
#include "engine/migration_state.hpp"

namespace mg {

class RuleContext {
public:
    RuleContext(const CatalogFacts &catalog, MigrationState &state, const Options &options,
                StatementReport &report)
        : catalog(catalog), state(state), options(options), report_(report) {}

    const CatalogFacts &catalog;
    MigrationState &state;
    const Options &options;

    int statement() const { return report_.number; }
    const std::string &command() const { return report_.command; }
    int statement_location() const { return report_.location; }
    // A node's own location when the parser kept one, else the statement's.
    int at(int node_location) const { return node_location >= 0 ? node_location : report_.location; }

    // Adds a finding with the rule's default risk and category; callers adjust the rest.
    Finding &add(const char *rule, int location, std::string object, std::string message,
                 std::string hint);

    // The name with its schema: as written, else the text's own creation, else where the
    // catalog finds it (search_path), else the default schema. Findings name objects this way,
    // so approvals can match them.
    QualifiedName qualify(const QualifiedName &t) const;

    // A table is "existing" unless this text created it.
    bool is_new(const QualifiedName &t) const {
        if (state.new_table(t)) return true;
        auto facts = catalog.table(t);
        return facts && (facts->created_in_transaction || facts->temporary);
    }
    // The text made the column NOT NULL, or the catalog says it is.
    bool known_not_null(const QualifiedName &t, const std::string &col) const {
        if (state.set_not_null.count(state.key(t) + "/" + col)) return true;
        const auto column = catalog.column(state.resolved(t), col);
        return column && column->not_null;
    }
    std::optional<TableFacts> live(const QualifiedName &t) const {
        if (state.new_table(t)) return std::nullopt;
        return catalog.table(t);
    }
    // A relation a statement reaches besides the ones it names, and what it is reached through.
    struct Reached {
        QualifiedName table;
        QualifiedName via;
    };
    // Every inheritance child and partition below `t`, all levels, from the catalog and from
    // what the text itself attached: what ALTER TABLE and TRUNCATE without ONLY recurse into.
    // `follow(child)` decides whether the recursion goes on below a child (DROP COLUMN stops
    // where a child keeps its own column).
    std::vector<Reached> descendants(const QualifiedName &t,
                                     const std::function<bool(const QualifiedName &)> &follow = {}) const;
    // Tables outside `tables` with a foreign key to one of them (TRUNCATE ... CASCADE).
    std::vector<QualifiedName> referencing(const std::vector<QualifiedName> &tables) const;

    // " (~1,204 rows, 96 kB)" for an existing table the catalog knows, "" otherwise.
    std::string at_stake(const QualifiedName &t) const;
    // Sets an availability finding's risk by the table's size, up or down (server only: the CLI
    // knows no sizes and keeps default risks). A scan or index build blocks for its duration; a
    // rewrite holds ACCESS EXCLUSIVE for the whole copy, so it weighs more.
    enum class Impact { Scan, Rewrite };
    void scale_by_size(Finding &f, const QualifiedName &t, Impact impact = Impact::Scan) const;
    // "1,204 rows" / "at least 1,204 rows (checked the first 1,000,000)"
    static std::string count_phrase(const DataCount &c, const char *one, const char *many);

    // Records that the statement takes `mode` on an existing table (require-lock-timeout).
    void takes_lock(LockMode mode, const QualifiedName &t);
    LockMode strongest_lock() const { return strongest_; }
    const QualifiedName &strongest_lock_table() const { return strongest_table_; }

    Volatility volatility(const std::vector<std::string> &func, int nargs) const;

    void emptied(const QualifiedName &t) { report_.emptied.push_back(t.display()); }
    // The statement's findings so far, by index (references into them do not survive add()).
    size_t statement_findings() const { return report_.findings.size(); }
    Finding &finding(size_t i) { return report_.findings.at(i); }
    const Finding &finding(size_t i) const { return report_.findings.at(i); }
    void remove_finding(size_t i) { report_.findings.erase(report_.findings.begin() + static_cast<long>(i)); }

private:
    StatementReport &report_;
    LockMode strongest_ = LockMode::None;
    QualifiedName strongest_table_;
};

}  // namespace mg
