// Rules about objects moving or being constrained as a whole: set-schema, the domain rules,
// create-trigger-lock, identifier-too-long.
#include <cctype>
#include <cstring>

#include "engine/rules/rules.hpp"

namespace mg {

namespace {

constexpr size_t kMaxIdentifier = 63;  // NAMEDATALEN - 1

bool has_check(const List *constraints) {
    const ListCell *lc;
    foreach (lc, constraints) {
        const Constraint *c = static_cast<const Constraint *>(lfirst(lc));
        if (c->contype == CONSTR_CHECK || c->contype == CONSTR_NOTNULL) return true;
    }
    return false;
}

void name_too_long(const char *name, const std::string &text, int location, RuleContext &ctx) {
    // The scanner has already cut the name to 63 bytes: a name of exactly that length that the
    // text continues is a truncated one.
    if (!name || std::strlen(name) != kMaxIdentifier) return;
    const size_t at = text.find(name, static_cast<size_t>(std::max(0, location)));
    if (at == std::string::npos || at + kMaxIdentifier >= text.size()) return;
    const unsigned char next = static_cast<unsigned char>(text[at + kMaxIdentifier]);
    if (!(std::isalnum(next) || next == '_' || next == '$' || next >= 0x80)) return;
    ctx.add("identifier-too-long", location >= 0 ? location : ctx.statement_location(), name,
            std::string("The name starting \"") + std::string(name, 20) +
                "...\" is longer than 63 bytes: PostgreSQL cuts it to \"" + name +
                "\" without an error, so two long names that share a prefix collide and code that uses the "
                "full name does not find it",
            "Use a name of at most 63 bytes");
}

}  // namespace

void check_set_schema(const AlterObjectSchemaStmt *stmt, RuleContext &ctx) {
    // Relations, and types (as a list of names); functions move too but are looked up anew.
    const bool relation = stmt->objectType == OBJECT_TABLE || stmt->objectType == OBJECT_VIEW ||
                          stmt->objectType == OBJECT_MATVIEW || stmt->objectType == OBJECT_SEQUENCE ||
                          stmt->objectType == OBJECT_FOREIGN_TABLE;
    if ((!relation && stmt->objectType != OBJECT_TYPE) || !stmt->newschema) return;
    const std::string word = object_type_name(stmt->objectType);
    std::string name;
    if (relation && stmt->relation) {
        const QualifiedName t = ctx.qualify(qualified(stmt->relation));
        if (ctx.is_new(t)) return;
        name = t.display();
    } else if (stmt->object && IsA(stmt->object, List)) {
        const QualifiedName q = qualified(reinterpret_cast<const List *>(stmt->object));
        if (ctx.state.is_new_object("type", q)) return;
        name = q.display();
    } else {
        return;
    }
    Finding &f = ctx.add("set-schema", ctx.statement_location(), name,
                         "ALTER " + word + " " + name + " SET SCHEMA " + stmt->newschema +
                             " moves it: every query, view and function that names it by its old schema (or "
                             "finds it through search_path) fails from the moment it commits",
                         "Expand/contract: create the object in the new schema (or a view there over the old one), "
                         "switch the application, then remove the old one in a later migration");
    f.lock = LockMode::AccessExclusive;
}

void check_create_domain(const CreateDomainStmt *stmt, RuleContext &ctx) {
    if (!has_check(stmt->constraints)) return;
    const QualifiedName d = qualified(stmt->domainname);
    ctx.add("create-domain-constraint", ctx.statement_location(), d.display(),
            "Domain " + d.display() + " carries a constraint: changing it later means ALTER DOMAIN, which "
            "checks every column of every table that uses the domain under a lock",
            "Prefer a CHECK constraint on the table columns (added NOT VALID and validated later), or keep the "
            "domain's rule one you will not need to change");
}

void check_alter_domain(const AlterDomainStmt *stmt, RuleContext &ctx) {
    if (stmt->subtype != 'C' || !stmt->def || !IsA(stmt->def, Constraint)) return;
    const Constraint *c = reinterpret_cast<const Constraint *>(stmt->def);
    const QualifiedName d = qualified(stmt->typeName);
    if (c->skip_validation || ctx.state.is_new_object("type", d)) return;  // domains are types
    Finding &f = ctx.add("alter-domain-add-constraint", ctx.statement_location(), d.display(),
                         "ALTER DOMAIN " + d.display() + " ADD CONSTRAINT checks every row of every table with a "
                         "column of this domain, holding a SHARE lock on each: their writes wait for the scans",
                         "Add it NOT VALID (new values are checked at once), then ALTER DOMAIN ... VALIDATE "
                         "CONSTRAINT later, which does not block writes");
    f.lock = LockMode::Share;
    f.scans_table = true;
}

void check_trigger_lock(const CreateTrigStmt *stmt, RuleContext &ctx) {
    if (!stmt->relation) return;
    const QualifiedName t = ctx.qualify(qualified(stmt->relation));
    if (ctx.is_new(t)) return;
    Finding &f = ctx.add("create-trigger-lock", ctx.statement_location(), t.display(),
                         std::string(stmt->replace ? "CREATE OR REPLACE TRIGGER" : "CREATE TRIGGER") + " on " +
                             t.display() + " takes a SHARE ROW EXCLUSIVE lock: writes to the table wait for it, "
                             "and behind a long transaction so does every later write",
                         "Set a short lock_timeout before it and retry when it gives up; the trigger itself "
                         "is quick to create");
    f.lock = LockMode::ShareRowExclusive;
}

void check_identifiers(const Node *stmt, const std::string &text, RuleContext &ctx) {
    switch (nodeTag(stmt)) {
        case T_CreateStmt: {
            const CreateStmt *s = reinterpret_cast<const CreateStmt *>(stmt);
            if (s->relation) name_too_long(s->relation->relname, text, s->relation->location, ctx);
            const ListCell *lc;
            foreach (lc, s->tableElts) {
                const Node *e = static_cast<const Node *>(lfirst(lc));
                if (IsA(e, ColumnDef))
                    name_too_long(reinterpret_cast<const ColumnDef *>(e)->colname, text,
                                  reinterpret_cast<const ColumnDef *>(e)->location, ctx);
                else if (IsA(e, Constraint))
                    name_too_long(reinterpret_cast<const Constraint *>(e)->conname, text,
                                  reinterpret_cast<const Constraint *>(e)->location, ctx);
            }
            break;
        }
        case T_IndexStmt: name_too_long(reinterpret_cast<const IndexStmt *>(stmt)->idxname, text, ctx.statement_location(), ctx); break;
        case T_AlterTableStmt: {
            const ListCell *lc;
            foreach (lc, reinterpret_cast<const AlterTableStmt *>(stmt)->cmds) {
                const AlterTableCmd *cmd = static_cast<const AlterTableCmd *>(lfirst(lc));
                if (cmd->subtype == AT_AddColumn && cmd->def && IsA(cmd->def, ColumnDef))
                    name_too_long(reinterpret_cast<const ColumnDef *>(cmd->def)->colname, text,
                                  reinterpret_cast<const ColumnDef *>(cmd->def)->location, ctx);
                if (cmd->subtype == AT_AddConstraint && cmd->def && IsA(cmd->def, Constraint))
                    name_too_long(reinterpret_cast<const Constraint *>(cmd->def)->conname, text,
                                  reinterpret_cast<const Constraint *>(cmd->def)->location, ctx);
            }
            break;
        }
        case T_RenameStmt: name_too_long(reinterpret_cast<const RenameStmt *>(stmt)->newname, text, ctx.statement_location(), ctx); break;
        case T_ViewStmt: {
            const RangeVar *v = reinterpret_cast<const ViewStmt *>(stmt)->view;
            if (v) name_too_long(v->relname, text, v->location, ctx);
            break;
        }
        case T_CreateSeqStmt: {
            const RangeVar *v = reinterpret_cast<const CreateSeqStmt *>(stmt)->sequence;
            if (v) name_too_long(v->relname, text, v->location, ctx);
            break;
        }
        case T_CreateSchemaStmt: name_too_long(reinterpret_cast<const CreateSchemaStmt *>(stmt)->schemaname, text, ctx.statement_location(), ctx); break;
        case T_CreateTrigStmt: name_too_long(reinterpret_cast<const CreateTrigStmt *>(stmt)->trigname, text, ctx.statement_location(), ctx); break;
        default: break;
    }
}

}  // namespace mg
