#include "server/enforcement/judged_statement.hpp"

#include "server/boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/nodes.h"
#include "utils/lsyscache.h"
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

}  // namespace mg::server
