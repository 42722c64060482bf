#include "server/audit/dump_without_history.hpp"

#include "server/extension_cache.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace mg::server {

namespace {

// The one table a COPY reads: COPY t TO, or COPY (SELECT ... FROM t [WHERE ...]) TO as pg_dump
// writes it for a configuration table with a filter.
RangeVar *copied_table(CopyStmt *copy) {
    if (copy->relation) return copy->relation;
    if (!copy->query || !IsA(copy->query, SelectStmt)) return nullptr;
    auto *select = reinterpret_cast<SelectStmt *>(copy->query);
    if (select->op != SETOP_NONE || list_length(select->fromClause) != 1) return nullptr;
    Node *from = static_cast<Node *>(linitial(select->fromClause));
    return IsA(from, RangeVar) ? reinterpret_cast<RangeVar *>(from) : nullptr;
}

}  // namespace

Node *copy_without_history(Node *node) {
    if (!IsA(node, CopyStmt)) return nullptr;
    auto *copy = reinterpret_cast<CopyStmt *>(node);
    if (copy->is_from || copy->filename) return nullptr;  // to the client only
    RangeVar *table = copied_table(copy);
    if (!table || !table->schemaname) return nullptr;
    const ExtensionPlace &place = extension_place_pg();
    if (!place.installed || get_namespace_oid(table->schemaname, true) != place.schema) return nullptr;
    const Oid relid = get_relname_relid(table->relname, place.schema);
    // Only the extension's configuration tables (what pg_dump copies), only without SELECT on it.
    if (!OidIsValid(relid) || getExtensionOfObject(RelationRelationId, relid) != place.extension) return nullptr;
    if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK) return nullptr;
    ereport(NOTICE, (errmsg("migration_guard: no rows of %s.%s are copied for role %s", table->schemaname, table->relname,
                            GetUserNameFromId(GetUserId(), false)),
                     errdetail("The guard's history is readable only by superusers and members of migration_guard_auditor "
                               "(approvals: migration_guard_approver); this dump holds the guard without it."),
                     errhint("To carry the history into a copy, dump as a superuser.")));
    CopyStmt *nothing = makeNode(CopyStmt);
    *nothing = *copy;
    nothing->relation = nullptr;
    nothing->attlist = NIL;
    List *parsed = raw_parser("SELECT WHERE false", RAW_PARSE_DEFAULT);
    nothing->query = static_cast<RawStmt *>(linitial(parsed))->stmt;
    return reinterpret_cast<Node *>(nothing);
}

}  // namespace mg::server
