// The only door through which engine code sees PostgreSQL: the parse-tree structs of PostgreSQL 15
// to 18, and (at the end) the one place where the majors differ.
// Engine files include this header and nothing else from the server, so the same code compiles
// into the extension (trees from the server's parser) and the CLI (trees from libpg_query).
#pragma once

extern "C" {
#include "postgres.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
}

// port.h redirects the printf family to PostgreSQL's own implementations; C++ code here uses
// the standard library's.
#undef snprintf
#undef vsnprintf
#undef sprintf
#undef vsprintf
#undef fprintf
#undef vfprintf
#undef printf
#undef vprintf

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "the rule engine is written against PostgreSQL 15 to 18 parse trees"
#endif

// What a newer major adds to the parse trees, behind one question each, so that rules read the
// same on every major and hold no #if of their own.
namespace mg::nodes {

// 17: ALTER TABLE ... ALTER COLUMN ... SET EXPRESSION AS (...)
inline bool is_set_expression(const AlterTableCmd *cmd) {
#if PG_VERSION_NUM >= 170000
    return cmd->subtype == AT_SetExpression;
#else
    (void)cmd;
    return false;
#endif
}

// 18: ALTER TABLE ... ALTER CONSTRAINT name [NOT] ENFORCED: ENFORCED checks every existing row,
// NOT ENFORCED stops checking. What it sets, if it sets enforceability at all.
enum class Enforceability { Unchanged, Enforced, NotEnforced };
inline Enforceability altered_enforceability(const AlterTableCmd *cmd) {
#if PG_VERSION_NUM >= 180000
    if (cmd->subtype != AT_AlterConstraint || !cmd->def || !IsA(cmd->def, ATAlterConstraint))
        return Enforceability::Unchanged;
    const auto *alter = reinterpret_cast<const ATAlterConstraint *>(cmd->def);
    if (!alter->alterEnforceability) return Enforceability::Unchanged;
    return alter->is_enforced ? Enforceability::Enforced : Enforceability::NotEnforced;
#else
    (void)cmd;
    return Enforceability::Unchanged;
#endif
}
inline const char *altered_constraint_name(const AlterTableCmd *cmd) {
#if PG_VERSION_NUM >= 180000
    if (cmd->def && IsA(cmd->def, ATAlterConstraint))
        return reinterpret_cast<const ATAlterConstraint *>(cmd->def)->conname;
#endif
    if (cmd->def && IsA(cmd->def, Constraint)) return reinterpret_cast<const Constraint *>(cmd->def)->conname;
    return nullptr;
}

// 18: a CHECK or FOREIGN KEY table constraint NOT ENFORCED (recorded, never checked). Other kinds
// leave is_enforced unset; a column constraint's NOT ENFORCED is a separate attribute node that
// parse analysis applies later.
inline bool not_enforced(const Constraint *c) {
#if PG_VERSION_NUM >= 180000
    return (c->contype == CONSTR_CHECK || c->contype == CONSTR_FOREIGN) && !c->is_enforced;
#else
    (void)c;
    return false;
#endif
}

// 18: a generated column is VIRTUAL (computed when read, nothing stored) unless STORED.
inline bool virtual_generated(const Constraint *c) {
#if PG_VERSION_NUM >= 180000
    return c->contype == CONSTR_GENERATED && c->generated_kind == 'v';  // ATTRIBUTE_GENERATED_VIRTUAL
#else
    (void)c;
    return false;
#endif
}

// 18: NOT NULL as a table constraint (ADD CONSTRAINT name NOT NULL column [NOT VALID]); earlier
// majors parse NOT NULL only as a column constraint.
inline bool table_not_null(const Constraint *c) {
#if PG_VERSION_NUM >= 180000
    return c->contype == CONSTR_NOTNULL && list_length(c->keys) == 1;
#else
    (void)c;
    return false;
#endif
}

}  // namespace mg::nodes
