#include "server/enforcement/judged_statement.hpp"

#include "server/boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/nodes.h"
#include "utils/lsyscache.h"
#include "access/genam.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {

ObjectType object_type_of(char relkind, ObjectType otherwise) {
    switch (relkind) {
        case RELKIND_RELATION:
        case RELKIND_PARTITIONED_TABLE: return OBJECT_TABLE;
        case RELKIND_VIEW: return OBJECT_VIEW;
        case RELKIND_MATVIEW: return OBJECT_MATVIEW;
        case RELKIND_FOREIGN_TABLE: return OBJECT_FOREIGN_TABLE;
        case RELKIND_INDEX:
        case RELKIND_PARTITIONED_INDEX: return OBJECT_INDEX;
        case RELKIND_SEQUENCE: return OBJECT_SEQUENCE;
        default: return otherwise;
    }
}

bool names_a_relation(ObjectType type) {
    return type == OBJECT_TABLE || type == OBJECT_VIEW || type == OBJECT_MATVIEW || type == OBJECT_FOREIGN_TABLE ||
           type == OBJECT_INDEX || type == OBJECT_SEQUENCE;
}

}  // namespace

Node *as_judged(Node *stmt) {
    if (!stmt || !IsA(stmt, RenameStmt)) return stmt;
    RenameStmt *rename = reinterpret_cast<RenameStmt *>(stmt);
    if (rename->renameType == OBJECT_ATTRIBUTE && rename->relation) {
        // PostgreSQL renames a table's column through its row type.
        Node *out = stmt;
        pg_call([&] {
            const Oid relid = RangeVarGetRelid(rename->relation, NoLock, true);
            if (!OidIsValid(relid) || get_rel_relkind(relid) == RELKIND_COMPOSITE_TYPE) return;
            RenameStmt *copy = static_cast<RenameStmt *>(copyObject(rename));
            copy->renameType = OBJECT_COLUMN;
            copy->relationType = object_type_of(get_rel_relkind(relid), OBJECT_TABLE);
            out = reinterpret_cast<Node *>(copy);
        });
        return out;
    }
    if (!rename->relation || !names_a_relation(rename->renameType)) return stmt;
    Node *out = stmt;
    pg_call([&] {
        const Oid relid = RangeVarGetRelid(rename->relation, NoLock, true);
        if (!OidIsValid(relid)) return;
        const ObjectType actual = object_type_of(get_rel_relkind(relid), rename->renameType);
        if (actual == rename->renameType) return;
        RenameStmt *copy = static_cast<RenameStmt *>(copyObject(rename));
        copy->renameType = actual;
        out = reinterpret_cast<Node *>(copy);
    });
    return out;
}

namespace {

// Tables made OF the composite type of `type_relid` (no index on reloftype: ALTER TYPE is rare).
List *typed_tables(Oid type_relid) {
    const Oid type = get_rel_type_id(type_relid);
    List *out = NIL;
    if (!OidIsValid(type)) return out;
    Relation rel = table_open(RelationRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_class_reloftype, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(type));
    SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, nullptr, 1, &key);
    HeapTuple t;
    while (HeapTupleIsValid(t = systable_getnext(scan))) out = lappend_oid(out, reinterpret_cast<Form_pg_class>(GETSTRUCT(t))->oid);
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return out;
}

RangeVar *range_var_of(Oid relid) {
    return makeRangeVar(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid), -1);
}

}  // namespace

List *also_judged(Node *stmt) {
    List *out = NIL;
    if (!stmt) return out;
    const bool rename = IsA(stmt, RenameStmt) && reinterpret_cast<RenameStmt *>(stmt)->renameType == OBJECT_ATTRIBUTE &&
                        reinterpret_cast<RenameStmt *>(stmt)->behavior == DROP_CASCADE;
    const bool alter = IsA(stmt, AlterTableStmt) && reinterpret_cast<AlterTableStmt *>(stmt)->objtype == OBJECT_TYPE;
    if (!rename && !alter) return out;
    pg_call([&] {
        RangeVar *type = rename ? reinterpret_cast<RenameStmt *>(stmt)->relation : reinterpret_cast<AlterTableStmt *>(stmt)->relation;
        const Oid relid = type ? RangeVarGetRelid(type, NoLock, true) : InvalidOid;
        if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_COMPOSITE_TYPE) return;
        ListCell *lc;
        foreach (lc, typed_tables(relid)) {
            if (rename) {
                RenameStmt *copy = reinterpret_cast<RenameStmt *>(copyObject(stmt));
                copy->renameType = OBJECT_COLUMN;
                copy->relationType = OBJECT_TABLE;
                copy->relation = range_var_of(lfirst_oid(lc));
                out = lappend(out, copy);
                continue;
            }
            // The column changes of ALTER TYPE (the type's own attributes are no table's).
            AlterTableStmt *copy = reinterpret_cast<AlterTableStmt *>(copyObject(stmt));
            copy->objtype = OBJECT_TABLE;
            copy->relation = range_var_of(lfirst_oid(lc));
            List *cmds = NIL;
            ListCell *c;
            foreach (c, copy->cmds) {
                AlterTableCmd *cmd = static_cast<AlterTableCmd *>(lfirst(c));
                if (cmd->subtype == AT_AlterColumnType && cmd->behavior == DROP_CASCADE) cmds = lappend(cmds, cmd);
            }
            copy->cmds = cmds;
            if (cmds != NIL) out = lappend(out, copy);
        }
    });
    return out;
}

}  // namespace mg::server
