// Constraints: add-foreign-key, add-check-constraint, add-unique-constraint,
// add-exclusion-constraint, cascade-delete-change, drop-constraint, validate-in-same-transaction,
// and the bookkeeping for fk-without-index.
#include "engine/rules/rules.hpp"
#include "engine/undo.hpp"

namespace mg {

namespace {

std::string constraint_label(const Constraint *con, const QualifiedName &table) {
    return con->conname ? table.display() + "." + con->conname : table.display();
}

std::string columns_text(const std::vector<std::string> &cols) {
    std::string out;
    for (const auto &c : cols) out += (out.empty() ? "" : ", ") + c;
    return out;
}

// "ADD CONSTRAINT name UNIQUE (a)" or "ADD UNIQUE (a)", as the statement said it.
std::string add_phrase(const Constraint *con, const std::string &what) {
    return con->conname ? "ADD CONSTRAINT " + std::string(con->conname) + " " + what : "ADD " + what;
}

// CHECK (col IS NOT NULL): the first step of the scan-free way to SET NOT NULL.
std::string not_null_check_column(const Constraint *con) {
    if (con->contype != CONSTR_CHECK || !con->raw_expr || !IsA(con->raw_expr, NullTest)) return {};
    const NullTest *test = reinterpret_cast<const NullTest *>(con->raw_expr);
    if (test->nulltesttype != IS_NOT_NULL) return {};
    return column_ref_name(reinterpret_cast<const Node *>(test->arg));
}

std::vector<std::string> columns_of(const List *names, const std::vector<std::string> &implied) {
    auto cols = name_list(names);
    return cols.empty() ? implied : cols;
}

// ADD PRIMARY KEY USING INDEX makes the index's columns NOT NULL: a full scan under ACCESS
// EXCLUSIVE unless each column already is NOT NULL.
void check_primary_key_using_index(const Constraint *con, const QualifiedName &table, RuleContext &ctx) {
    auto it = ctx.state.index_columns.find(con->indexname);
    std::vector<std::string> maybe_null;
    if (it != ctx.state.index_columns.end()) {
        for (const auto &col : it->second)
            if (!ctx.known_not_null(table, col)) maybe_null.push_back(col);
        if (maybe_null.empty()) return;
    }
    const std::string cols = maybe_null.empty() ? "the index's columns" : columns_text(maybe_null);
    Finding &f = ctx.add("add-primary-key-using-index", ctx.at(con->location), constraint_label(con, table),
                         add_phrase(con, "PRIMARY KEY USING INDEX " + std::string(con->indexname)) + " on " +
                             table.display() + " sets " + cols +
                             " NOT NULL: unless already NOT NULL, each is checked by a full scan under the ACCESS "
                             "EXCLUSIVE lock" + ctx.at_stake(table),
                         "First make the columns NOT NULL without a scan: ADD CONSTRAINT ... CHECK (col IS NOT NULL) "
                         "NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL; then add the primary key using the index");
    f.lock = LockMode::AccessExclusive;
    f.scans_table = true;
    ctx.scale_by_size(f, table);
}

}  // namespace

void remember_foreign_key(const QualifiedName &table, std::vector<std::string> columns, bool additive,
                          int location, RuleContext &ctx) {
    PendingForeignKey fk;
    fk.table_key = ctx.state.key(table);
    fk.table = ctx.state.resolved(table);
    fk.columns = std::move(columns);
    fk.additive = additive;
    fk.statement = ctx.statement();
    fk.location = location;
    ctx.state.foreign_keys.push_back(std::move(fk));
}

void check_add_constraint(const Constraint *con, const QualifiedName &table,
                          const std::vector<std::string> &implied_columns, RuleContext &ctx) {
    const bool is_new = ctx.is_new(table);
    const int at = ctx.at(con->location);
    const std::string label = constraint_label(con, table);
    const std::string key = ctx.state.key(table);

    if (con->conname) {
        ConstraintFacts facts;
        facts.validated = !con->skip_validation;
        facts.not_null_column = not_null_check_column(con);
        facts.type = con->contype == CONSTR_FOREIGN ? 'f' : con->contype == CONSTR_CHECK ? 'c'
                     : con->contype == CONSTR_UNIQUE ? 'u' : con->contype == CONSTR_PRIMARY ? 'p' : 'x';
        facts.on_delete_cascade = con->contype == CONSTR_FOREIGN && con->fk_del_action == FKCONSTR_ACTION_CASCADE;
        ctx.state.constraints[key + "/" + con->conname] = facts;
        ctx.state.constraint_additions[key + "/" + con->conname].emplace_back(ctx.statement(),
                                                                               ctx.state.transaction_number);
        if (con->skip_validation && ctx.state.in_transaction)
            ctx.state.not_valid_in_transaction.insert(key + "/" + con->conname);
    }

    if (nodes::not_enforced(con)) {
        // Put back NOT ENFORCED under the name of one the text dropped: the old constraint is
        // switched off, as ALTER CONSTRAINT ... NOT ENFORCED would.
        if (!is_new && con->conname && ctx.state.dropped_constraints.count(key + "/" + con->conname)) {
            Finding &f = ctx.add("disable-constraint", at, label,
                                 "Constraint " + label + " is dropped and added back NOT ENFORCED: PostgreSQL stops "
                                 "checking it, for rows written from now on too",
                                 "Keep the constraint enforced; to change it, add the new one NOT VALID and VALIDATE "
                                 "it before dropping the old one");
            f.lock = LockMode::AccessExclusive;
            if (con->conname) ctx.state.constraints[key + "/" + con->conname].validated = false;
            return;
        }
        Finding &f = ctx.add("constraint-not-enforced", at, label,
                             add_phrase(con, con->contype == CONSTR_FOREIGN ? "FOREIGN KEY" : "CHECK") + " on " +
                                 table.display() + " is NOT ENFORCED: PostgreSQL records it but checks no row, "
                                 "existing or new",
                             "To check new rows now and existing ones later, add it NOT VALID and run VALIDATE "
                             "CONSTRAINT in a separate transaction; keep NOT ENFORCED only for a rule the "
                             "database must not check");
        f.risk = Risk::Low;
        if (con->conname) ctx.state.constraints[key + "/" + con->conname].validated = false;
        return;
    }
    if (nodes::table_not_null(con)) {
        // 18's NOT NULL table constraint: without NOT VALID it is SET NOT NULL by another name.
        if (!con->skip_validation) check_set_not_null(strVal(linitial(con->keys)), table, ctx);
        return;
    }

    switch (con->contype) {
        case CONSTR_FOREIGN: {
            const auto cols = columns_of(con->fk_attrs, implied_columns);
            const QualifiedName ref = ctx.qualify(qualified(con->pktable));
            remember_foreign_key(table, cols, is_new || con->skip_validation, at, ctx);
            // Even a new table's foreign key locks the referenced table against writes.
            ctx.takes_lock(LockMode::ShareRowExclusive, ref);
            if (is_new) return;
            ctx.takes_lock(LockMode::ShareRowExclusive, table);
            if (!con->skip_validation) {
                std::string data;
                const auto orphans =
                    ctx.catalog.count_orphans(ctx.state.resolved(table), cols, ref, name_list(con->pk_attrs));
                if (orphans && orphans->count > 0)
                    data = "; " + RuleContext::count_phrase(*orphans, "row", "rows") + (orphans->count == 1 && !orphans->at_least ? " has" : " have") + " no match in " + ref.display() +
                           ": the statement will fail";
                Finding &f = ctx.add("add-foreign-key", at, label,
                                     add_phrase(con, "FOREIGN KEY (" + columns_text(cols) + ")") + " on " + table.display() +
                                         " checks every row while holding SHARE ROW EXCLUSIVE locks on " +
                                         table.display() + " and " + ref.display() +
                                         ", blocking writes to both" + ctx.at_stake(table) + data,
                                     "Add it with NOT VALID (instant), then run ALTER TABLE " + quote_name(table) +
                                         " VALIDATE CONSTRAINT " +
                                         (con->conname ? quote_ident(con->conname) : std::string("<name>")) +
                                         " in a separate transaction: it checks rows without blocking writes");
                f.lock = LockMode::ShareRowExclusive;
                f.scans_table = true;
                ctx.scale_by_size(f, table);
                if (orphans && orphans->count > 0) f.risk = Risk::High;
            }
            if (con->fk_del_action == FKCONSTR_ACTION_CASCADE) {
                // A new foreign key deletes nothing when it is added (a restore adds every one of
                // them to full tables); replacing one that refused or left children changes what
                // an existing delete destroys.
                const auto replaced = ctx.state.dropped_plain_foreign_keys.find(ctx.state.key(table));
                const bool change = replaced != ctx.state.dropped_plain_foreign_keys.end();
                Finding &f = ctx.add("cascade-delete-change", at, label,
                                     change ? "Foreign key " + label + " replaces " + replaced->second +
                                                  " with ON DELETE CASCADE: deleting a row of " + ref.display() +
                                                  " will now silently delete the matching rows of " + table.display()
                                            : "Foreign key " + label + " has ON DELETE CASCADE: from now on deleting a row of " +
                                                  ref.display() + " also deletes the matching rows of " + table.display() +
                                                  " (nothing is deleted now; such deletes are judged when they run)",
                                     "Prefer ON DELETE RESTRICT (or NO ACTION) and delete children "
                                     "explicitly; if cascading is intended, approve it knowingly");
                f.lock = LockMode::ShareRowExclusive;
                if (!change) f.risk = Risk::Low;
            }
            return;
        }
        case CONSTR_CHECK: {
            if (is_new || con->skip_validation) return;
            Finding &f = ctx.add("add-check-constraint", at, label,
                                 add_phrase(con, "CHECK") + " on " + table.display() +
                                     " scans every row under an ACCESS EXCLUSIVE lock and fails if one violates "
                                     "it" + ctx.at_stake(table),
                                 "Add it with NOT VALID (instant, checks new rows only), then VALIDATE "
                                 "CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: writes go on)");
            f.lock = LockMode::AccessExclusive;
            f.scans_table = true;
            ctx.scale_by_size(f, table);
            return;
        }
        case CONSTR_PRIMARY:
        case CONSTR_UNIQUE: {
            const auto cols = columns_of(con->keys, implied_columns);
            if (!con->indexname) ctx.state.add_index(table, cols);
            if (!is_new && con->indexname && con->contype == CONSTR_PRIMARY) {
                check_primary_key_using_index(con, table, ctx);
                return;
            }
            if (is_new || con->indexname) return;
            const char *what = con->contype == CONSTR_PRIMARY ? "PRIMARY KEY" : "UNIQUE";
            std::string data;
            const auto duplicates = ctx.catalog.count_duplicates(ctx.state.resolved(table), cols);
            if (duplicates && duplicates->count > 0)
                data = "; " + RuleContext::count_phrase(*duplicates, "value", "values") + " of (" + columns_text(cols) +
                       ") " + (duplicates->count == 1 && !duplicates->at_least ? "appears" : "appear") +
                       " more than once: the statement will fail";
            // A primary key also makes its columns NOT NULL.
            bool has_nulls = false;
            if (con->contype == CONSTR_PRIMARY)
                for (const auto &col : cols) {
                    const auto nulls = ctx.catalog.count_nulls(ctx.state.resolved(table), col);
                    if (!nulls || nulls->count == 0) continue;
                    has_nulls = true;
                    data += "; " + RuleContext::count_phrase(*nulls, "row", "rows") +
                            (nulls->count == 1 && !nulls->at_least ? " has" : " have") + " NULL " + col +
                            ": the statement will fail";
                }
            Finding &f = ctx.add("add-unique-constraint", at, label,
                                 add_phrase(con, std::string(what) + " (" + columns_text(cols) + ")") + " on " +
                                     table.display() + " builds its index under an ACCESS EXCLUSIVE lock, "
                                     "blocking reads and writes, and fails on duplicates" + ctx.at_stake(table) + data,
                                 "CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE " + quote_name(table) +
                                     " ADD CONSTRAINT ... " + what + " USING INDEX <index> (instant)");
            f.lock = LockMode::AccessExclusive;
            f.scans_table = true;
            ctx.scale_by_size(f, table);
            if ((duplicates && duplicates->count > 0) || has_nulls) f.risk = Risk::High;
            return;
        }
        case CONSTR_EXCLUSION: {
            if (is_new) return;
            Finding &f = ctx.add("add-exclusion-constraint", at, label,
                                 add_phrase(con, "EXCLUDE") + " on " + table.display() +
                                     " builds its index and checks every row under an ACCESS EXCLUSIVE lock" +
                                     ctx.at_stake(table),
                                 "Run it in a quiet window with a lock_timeout, or enforce the rule in new "
                                 "rows first (trigger) and add the constraint when the table is small; "
                                 "exclusion constraints cannot be added NOT VALID");
            f.lock = LockMode::AccessExclusive;
            f.scans_table = true;
            ctx.scale_by_size(f, table);
            return;
        }
        default:
            return;
    }
}

void check_drop_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const std::string name = cmd->name ? cmd->name : "";
    const std::string label = table.display() + "." + name;

    std::optional<ConstraintFacts> facts;
    auto it = ctx.state.constraints.find(ctx.state.key(table) + "/" + name);
    if (it != ctx.state.constraints.end()) facts = it->second;
    else facts = ctx.catalog.constraint(ctx.state.resolved(table), name);

    // The last step of the scan-free SET NOT NULL: the helper CHECK is redundant once the
    // column is NOT NULL, so dropping it loses nothing.
    if (facts && !facts->not_null_column.empty() && cmd->behavior != DROP_CASCADE) {
        if (ctx.known_not_null(table, facts->not_null_column)) return;
    }

    // Dropped and added back in the same ALTER TABLE: replaced, never unenforced (the new one
    // is judged as an addition).
    if (!ctx.state.readded_constraints.count(name)) {
        Finding &f = ctx.add("drop-constraint", ctx.statement_location(), label,
                             "DROP CONSTRAINT " + name + " on " + table.display() +
                                 " stops enforcing it: rows that break it can be written from now on",
                             "Make sure nothing relies on the constraint; to replace it, add the new one (NOT VALID, "
                             "then VALIDATE) before dropping the old one");
        f.lock = LockMode::AccessExclusive;
        ctx.state.dropped_constraint_findings.push_back({ctx.state.key(table) + "/" + name, ctx.state.key(table), label,
                                                         ctx.statement(), ctx.state.transaction_number});
    }

    ctx.state.dropped_constraints.insert(ctx.state.key(table) + "/" + name);
    if (facts && facts->type == 'f' && !facts->on_delete_cascade)
        ctx.state.dropped_plain_foreign_keys[ctx.state.key(table)] = label;
    if (facts && facts->type == 'f' && facts->on_delete_cascade) {
        Finding &c = ctx.add("cascade-delete-change", ctx.statement_location(), label,
                             "Dropping ON DELETE CASCADE foreign key " + label +
                                 " changes what deleting a parent row does: children are no longer removed",
                             "Replace it in the same migration with the intended foreign key (NOT VALID, then "
                             "VALIDATE), and update code that relied on the cascade");
        c.lock = LockMode::AccessExclusive;
    }
    if (cmd->behavior == DROP_CASCADE) {
        Finding &c = ctx.add("drop-cascade", ctx.statement_location(), label,
                             "DROP CONSTRAINT " + name + " ... CASCADE also drops the foreign keys that depend on "
                             "it",
                             "Drop without CASCADE and drop the dependent foreign keys explicitly");
        c.lock = LockMode::AccessExclusive;
        report_cascade(ctx.finding(ctx.statement_findings() - 1), "constraint", ctx.state.resolved(table), name,
                       "DROP CONSTRAINT " + name + " CASCADE", ctx);
    }
}

void check_enforce_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const char *name = nodes::altered_constraint_name(cmd);
    const std::string label = table.display() + "." + (name ? name : "");
    ctx.takes_lock(LockMode::AccessExclusive, table);
    Finding &f = ctx.add("enforce-constraint", ctx.statement_location(), label,
                         "ALTER CONSTRAINT " + std::string(name ? name : "") + " ENFORCED checks every existing row of " +
                             table.display() + " while holding its lock, and fails if one violates it" +
                             ctx.at_stake(table),
                         "Add the constraint anew with NOT VALID (instant), VALIDATE CONSTRAINT it in a separate "
                         "transaction (writes go on), then drop the NOT ENFORCED one");
    f.lock = LockMode::AccessExclusive;
    f.scans_table = true;
    ctx.scale_by_size(f, table);
}

void check_stop_enforcing(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    if (ctx.is_new(table)) return;
    const char *name = nodes::altered_constraint_name(cmd);
    const std::string constraint = name ? name : "";
    ctx.takes_lock(LockMode::AccessExclusive, table);
    // Like disabling a trigger: from now on rows that break the rule go in unchecked (a foreign
    // key's parents can be deleted under their children).
    Finding &f = ctx.add("disable-constraint", ctx.statement_location(), table.display() + "." + constraint,
                         "ALTER CONSTRAINT " + constraint + " NOT ENFORCED on " + table.display() +
                             " stops PostgreSQL checking it: rows that break it, and (for a foreign key) deletes "
                             "of the rows it references, go through unchecked from now on",
                         "Keep the constraint enforced; if a bulk load needs it off, make it ENFORCED again in the "
                         "same migration (that checks every row) or drop and re-add it NOT VALID + VALIDATE");
    f.lock = LockMode::AccessExclusive;
}

void check_validate_constraint(const AlterTableCmd *cmd, const QualifiedName &table, RuleContext &ctx) {
    const std::string name = cmd->name ? cmd->name : "";
    auto added = ctx.state.constraints.find(ctx.state.key(table) + "/" + name);
    if (added != ctx.state.constraints.end()) added->second.validated = true;
    else if (!ctx.catalog.constraint(ctx.state.resolved(table), name))
        ctx.state.validated_unknown[ctx.state.key(table)].push_back(name);
    if (!ctx.state.in_transaction ||
        !ctx.state.not_valid_in_transaction.count(ctx.state.key(table) + "/" + name))
        return;
    Finding &f = ctx.add("validate-in-same-transaction", ctx.statement_location(), table.display() + "." + name,
                         "VALIDATE CONSTRAINT " + name + " runs in the same transaction that added it NOT VALID, "
                         "so the strong lock taken by ADD is held through the whole validation scan",
                         "COMMIT after ADD ... NOT VALID, and run VALIDATE CONSTRAINT in its own transaction");
    f.lock = LockMode::AccessExclusive;
    f.scans_table = true;
}

}  // namespace mg
