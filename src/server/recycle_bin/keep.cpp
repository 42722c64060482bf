#include "server/recycle_bin/recycle_bin.hpp"

#include <algorithm>

#include "engine/node_names.hpp"
#include "server/boundary.hpp"
#include "server/dry_run/dry_run.hpp"
#include "server/approvals/approvals.hpp"
#include "server/enforcement/decision.hpp"
#include "server/enforcement/statement_findings.hpp"
#include "server/live_catalog/server_catalog.hpp"
#include "server/pinned_path.hpp"
#include "server/recycle_bin/catalog_walk.hpp"
#include "server/recycle_bin/copies.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/extension_cache.hpp"
#include "server/recycle_bin/kept_store.hpp"
#include "server/recycle_bin/purge.hpp"
#include "server/recycle_bin/table_record.hpp"
#include "server/settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_shdepend.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

namespace mg::server {

namespace {

struct Candidate {
    Oid relid = InvalidOid;
};

// Whether the current transaction created the table (it holds nothing anybody else had). Created,
// not touched: a GRANT, a reloption or an ADD COLUMN also rewrites the pg_class row, so its xmin
// says nothing; the relcache knows the subtransaction that created the relation.
bool new_or_temporary(Oid relid) {
    Relation rel = try_relation_open(relid, NoLock);
    if (!rel) return true;
    const bool temp = rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP;
    const bool created = rel->rd_createSubid != InvalidSubTransactionId;
    relation_close(rel, NoLock);
    return temp || created;
}

// Tables in the schemas (DROP SCHEMA ... CASCADE): pg_depend's index on the referenced object.
void tables_in_schema(Oid nsp, std::vector<Candidate> &out) {
    List *found = NIL;
    pg_call([&] {
        ListCell *lc;
        foreach (lc, dependents(NamespaceRelationId, nsp)) {
            const Dep *d = static_cast<Dep *>(lfirst(lc));
            if (d->object.classId != RelationRelationId || d->object.objectSubId != 0) continue;
            const char kind = get_rel_relkind(d->object.objectId);
            if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE) found = lappend_oid(found, d->object.objectId);
        }
    });
    ListCell *lc;
    foreach (lc, found) out.push_back({lfirst_oid(lc)});
}

// Tables the roles own here (DROP OWNED): pg_shdepend's index on the referenced role.
void tables_owned_by(Oid role, std::vector<Candidate> &out) {
    pg_call([&] {
        Relation shdepend = table_open(SharedDependRelationId, AccessShareLock);
        ScanKeyData key[2];
        ScanKeyInit(&key[0], Anum_pg_shdepend_refclassid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(AuthIdRelationId));
        ScanKeyInit(&key[1], Anum_pg_shdepend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(role));
        SysScanDesc scan = systable_beginscan(shdepend, SharedDependReferenceIndexId, true, nullptr, 2, key);
        HeapTuple t;
        List *found = NIL;
        while (HeapTupleIsValid(t = systable_getnext(scan))) {
            const Form_pg_shdepend d = reinterpret_cast<Form_pg_shdepend>(GETSTRUCT(t));
            if (d->dbid != MyDatabaseId || d->classid != RelationRelationId || d->deptype != SHARED_DEPENDENCY_OWNER) continue;
            const char kind = get_rel_relkind(d->objid);
            if (kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE) found = lappend_oid(found, d->objid);
        }
        systable_endscan(scan);
        table_close(shdepend, AccessShareLock);
        ListCell *lc;
        foreach (lc, found) out.push_back({lfirst_oid(lc)});
    });
}

std::string display_of(Oid relid) { return ServerCatalog().name_of(relid).display(); }

bool holds_data(const std::string &table, const std::string &column = {}) {
    std::string unused;
    const QualifiedName q = split_object(table, unused);
    return !ServerCatalog().holds_no_data(q, column).value_or(false);
}

Finding not_kept(const std::string &object, const std::string &what, const std::string &why) {
    return make_finding("not-kept", object,
                        what + " cannot be kept in the recycle bin: " + why +
                            "; once it runs, nothing brings it back but a backup",
                        "Take a backup first (pg_dump --table or COPY), then approve with the rule not-kept as well "
                        "as the others; or make it keepable (see docs/recycle-bin.md)");
}

bool is_loss_rule(const std::string &rule) {
    return rule == "drop-table" || rule == "drop-column" || rule == "truncate" || rule == "drop-schema" ||
           rule == "drop-owned" || rule == "drop-cascade" || rule == "dml-without-where" || rule == "mass-dml";
}

void tell_kept(std::vector<Finding> &findings) {
    const std::string note = "Once it runs, what it takes is kept for " + keep_for_text() +
                             " (SELECT * FROM migration_guard.kept; migration_guard.restore(id) puts it back)";
    const std::string final_word = "Nothing brings the rows back but a backup. ";
    for (Finding &f : findings) {
        if (!is_loss_rule(f.rule)) continue;
        const size_t at = f.hint.find(final_word);
        if (at != std::string::npos) f.hint.erase(at, final_word.size());
        while (!f.hint.empty() && (f.hint.back() == '.' || f.hint.back() == ' ')) f.hint.pop_back();
        f.hint += (f.hint.empty() ? "" : ". ") + note;
    }
}

void plan_tables(std::vector<Candidate> candidates, bool restrict_drop, std::vector<Finding> &findings,
                 const std::vector<Oid> &dropped_schemas) {
    KeepPlan &plan = current_statement().keep;
    std::vector<Candidate> live;
    for (const Candidate &c : candidates) {
        plan.considered.push_back(display_of(c.relid));
        bool skip = false;
        pg_call([&] { skip = new_or_temporary(c.relid); });
        // An empty table has nothing to keep; it goes as PostgreSQL drops it.
        if (!skip && holds_data(display_of(c.relid))) live.push_back(c);
    }
    for (const Candidate &c : live) {
        const char *why = nullptr;
        pg_call([&] {
            List *dropping = NIL;
            for (const Candidate &o : live) dropping = lappend_oid(dropping, o.relid);
            why = why_not_keepable(c.relid, dropping, restrict_drop);
            // A column whose type goes with the schema would be dropped from the kept table.
            if (!why && !dropped_schemas.empty()) {
                Relation rel = relation_open(c.relid, AccessShareLock);
                const TupleDesc desc = RelationGetDescr(rel);
                for (int i = 0; i < desc->natts && !why; i++) {
                    const Form_pg_attribute att = TupleDescAttr(desc, i);
                    if (att->attisdropped) continue;
                    HeapTuple t = SearchSysCache1(TYPEOID, ObjectIdGetDatum(att->atttypid));
                    if (!HeapTupleIsValid(t)) continue;
                    const Oid type_nsp = reinterpret_cast<Form_pg_type>(GETSTRUCT(t))->typnamespace;
                    ReleaseSysCache(t);
                    for (Oid s : dropped_schemas)
                        if (type_nsp == s) why = "the type of one of its columns is dropped with the schema";
                }
                relation_close(rel, AccessShareLock);
            }
        });
        if (!why) {
            plan.tables.push_back(c.relid);
        } else if (!*why) {
            // PostgreSQL should refuse the drop itself; if it does not, sql_drop reports the table
            // as not kept rather than let it go silently.
            auto &seen = plan.considered;
            seen.erase(std::remove(seen.begin(), seen.end(), display_of(c.relid)), seen.end());
        } else {
            const std::string table = display_of(c.relid);
            if (holds_data(table)) findings.push_back(not_kept(table, "table " + table, why));
        }
    }
}

// A kept table is a copy: together they must fit migration_guard.keep_max_size, measured by
// their size on disk (statistics a rolled-back ANALYZE can forge play no part).
void cap_tables(std::vector<Finding> &findings) {
    KeepPlan &plan = current_statement().keep;
    const int64_t cap = keep_max_bytes();
    if (cap < 0 || plan.tables.empty()) return;
    int64_t total = 0;
    for (Oid relid : plan.tables) pg_call([&] { total += rows_copy_size(relid); });
    if (total <= cap) return;
    for (Oid relid : plan.tables) {
        const std::string table = display_of(relid);
        findings.push_back(not_kept(table, "table " + table,
                                    "together the dropped tables (" + format_bytes(total) +
                                        ") exceed migration_guard.keep_max_size (" + format_bytes(cap) + ")"));
    }
    plan.tables.clear();
}

void plan_drop(DropStmt *drop, std::vector<Finding> &findings) {
    std::vector<Candidate> candidates;
    std::vector<Oid> schemas;
    if (drop->removeType == OBJECT_TABLE) {
        ListCell *lc;
        foreach (lc, drop->objects) {
            List *names = static_cast<List *>(lfirst(lc));
            Oid relid = InvalidOid;
            pg_call([&] {
                relid = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
                // Only what the role may drop: PostgreSQL's own check comes after this plan.
                if (OidIsValid(relid) && !mg::pg::owns_relation(relid, GetUserId()) &&
                    !mg::pg::owns_namespace(get_rel_namespace(relid), GetUserId()))
                    relid = InvalidOid;
            });
            if (OidIsValid(relid)) candidates.push_back({relid});
        }
    } else if (drop->removeType == OBJECT_SCHEMA) {
        if (drop->behavior != DROP_CASCADE) return;  // a schema with tables is refused anyway
        ListCell *lc;
        foreach (lc, drop->objects) {
            const char *name = strVal(lfirst(lc));
            Oid nsp = InvalidOid;
            pg_call([&] {
                nsp = get_namespace_oid(name, true);
                if (OidIsValid(nsp) && !mg::pg::owns_namespace(nsp, GetUserId())) nsp = InvalidOid;
            });
            if (!OidIsValid(nsp)) continue;
            schemas.push_back(nsp);
            tables_in_schema(nsp, candidates);
        }
    } else {
        return;
    }
    plan_tables(candidates, drop->behavior != DROP_CASCADE, findings, schemas);
    cap_tables(findings);
}

void plan_drop_owned(DropOwnedStmt *stmt, std::vector<Finding> &findings) {
    std::vector<Candidate> candidates;
    ListCell *lc;
    foreach (lc, stmt->roles) {
        RoleSpec *spec = static_cast<RoleSpec *>(lfirst(lc));
        Oid role = InvalidOid;
        pg_call([&] {
            role = get_rolespec_oid(spec, true);
            if (OidIsValid(role) && !has_privs_of_role(GetUserId(), role)) role = InvalidOid;
        });
        if (OidIsValid(role)) tables_owned_by(role, candidates);
    }
    plan_tables(candidates, stmt->behavior != DROP_CASCADE, findings, {});
    cap_tables(findings);
}

void plan_drop_columns(AlterTableStmt *alter, std::vector<Finding> &findings) {
    bool drops = false;
    ListCell *cell;
    foreach (cell, alter->cmds) drops = drops || static_cast<AlterTableCmd *>(lfirst(cell))->subtype == AT_DropColumn;
    if (!drops || !alter->relation) return;  // every other ALTER TABLE pays nothing
    Oid relid = InvalidOid;
    pg_call([&] {
        relid = RangeVarGetRelid(alter->relation, NoLock, true);
        if (OidIsValid(relid) && (!mg::pg::owns_relation(relid, GetUserId()) || new_or_temporary(relid) ||
                                  (get_rel_relkind(relid) != RELKIND_RELATION &&
                                   get_rel_relkind(relid) != RELKIND_PARTITIONED_TABLE)))
            relid = InvalidOid;
    });
    if (!OidIsValid(relid)) return;
    const std::string table = display_of(relid);
    ListCell *lc;
    foreach (lc, alter->cmds) {
        AlterTableCmd *cmd = static_cast<AlterTableCmd *>(lfirst(lc));
        if (cmd->subtype != AT_DropColumn || !cmd->name) continue;
        AttrNumber attnum = InvalidAttrNumber;
        bool generated = false;
        const char *why = nullptr;
        int64 size = 0;
        pg_call([&] {
            attnum = get_attnum(relid, cmd->name);
            if (attnum <= 0) return;
            HeapTuple t = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
            if (HeapTupleIsValid(t)) {
                generated = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(t))->attgenerated != '\0';
                ReleaseSysCache(t);
            }
            size = column_copy_size(relid, attnum, &why);
        });
        if (attnum <= 0 || generated) continue;  // a generated column's values come back from its expression
        const std::string column = table + "." + cmd->name;
        current_statement().keep.considered.push_back(column);
        if (!holds_data(table, cmd->name)) continue;
        const int64_t cap = keep_max_bytes();
        if (!why && cap >= 0 && size > cap) {
            findings.push_back(not_kept(column, "column " + column,
                                        "its values (~" + format_bytes(size) + ") exceed migration_guard.keep_max_size (" +
                                            format_bytes(cap) + ")"));
            continue;
        }
        // The estimate comes from statistics; the copy measures what it copies and stops at the
        // cap. Where the table itself is larger than the cap, an approval that names not-kept for
        // the column is what lets it through unkept (the retry after such a stop).
        int64 table_bytes = 0;
        pg_call([&] { table_bytes = rows_copy_size(relid); });
        if (!why && cap >= 0 && table_bytes > cap) {
            const Finding unkept = not_kept(column, "column " + column,
                                            "its values may exceed migration_guard.keep_max_size (" + format_bytes(cap) +
                                                ") and an approval names not-kept for it");
            if (use_approval({unkept}, current_statement().command_tag, current_statement().text, 0, false).approved) {
                findings.push_back(unkept);
                continue;
            }
        }
        if (why) {
            findings.push_back(not_kept(column, "column " + column, why));
            continue;
        }
        current_statement().keep.columns.push_back({relid, attnum});
    }
}

void plan_truncate(const std::vector<std::string> &emptied, std::vector<Finding> &findings) {
    std::vector<Oid> tables;
    std::vector<std::string> names;
    int64_t total = 0;
    const ServerCatalog catalog;
    for (const std::string &object : emptied) {
        std::string column;
        Oid relid = catalog.relation(split_object(object, column));
        int64 size = 0;
        pg_call([&] {
            if (!OidIsValid(relid) || get_rel_relkind(relid) != RELKIND_RELATION || new_or_temporary(relid) ||
                pg_class_aclcheck(relid, GetUserId(), ACL_TRUNCATE) != ACLCHECK_OK) {
                relid = InvalidOid;
                return;
            }
            size = rows_copy_size(relid);
        });
        if (!OidIsValid(relid) || !holds_data(object)) continue;
        tables.push_back(relid);
        names.push_back(object);
        total += size;
    }
    const int64_t cap = keep_max_bytes();
    if (cap >= 0 && total > cap) {
        for (const std::string &name : names)
            findings.push_back(not_kept(name, "the rows of " + name,
                                        "together the truncated rows (" + format_bytes(total) +
                                            ") exceed migration_guard.keep_max_size (" + format_bytes(cap) + ")"));
        return;
    }
    current_statement().keep.rows = tables;
}

KeptRecord record_of(const KeptCopy *c, Oid relid, const char *kind) {
    KeptRecord r;
    r.kind = kind;
    r.kept_relid = c->kept_relid;
    r.kept_name = c->kept_name;
    r.size_bytes = c->bytes;
    r.rows = c->rows;
    r.table_relid = relid;
    r.by_ctid = c->by_ctid;
    r.column_type = c->column_type ? c->column_type : "";
    r.column_default = c->column_default ? c->column_default : "";
    r.column_not_null = c->not_null;
    r.shape = c->shape ? c->shape : "";
    ListCell *lc;
    foreach (lc, c->key_columns) r.key_columns.emplace_back(static_cast<char *>(lfirst(lc)));
    foreach (lc, c->recreate) {
        r.recreate.emplace_back(static_cast<char *>(lfirst(lc)));
        r.recreate_as.emplace_back("");
    }
    return r;
}

// Records a kept set of rows of one table (TRUNCATE, a data change): the item waits for the
// statement's audit row and goes into its undo.
void record_rows_item(KeptRecord &r, Oid relid, const std::string &tag, const std::string &text, KeepPlan &plan) {
    r.object_identity = display_of(relid);
    std::string unused;
    const QualifiedName q = split_object(r.object_identity, unused);
    r.schema = q.schema;
    r.table = q.name;
    pg_call([&] { r.table_owner = relation_owner(relid); });
    const int64_t id = insert_kept(r, tag, text);
    plan.awaiting_audit.emplace_back(id, r.object_identity);
    plan.kept.emplace_back(id, r.object_identity);
}

// migration_guard.keep_total_max_size: the oldest items go first, each on record, never the ones
// the running transaction kept.
void keep_within_total() {
    const int64_t cap = keep_total_max_bytes();
    if (cap < 0) return;
    const auto items = live_kept_oldest_first();
    int64_t total = 0;
    for (const auto &[id, size] : items) total += size;
    for (const auto &[id, size] : items) {
        if (total <= cap) break;
        if (id < 0) continue;
        if (purge_one(id, "the recycle bin is over migration_guard.keep_total_max_size: oldest first")) total -= size;
    }
}

}  // namespace

std::string keep_for_text() {
    const int64_t s = keep_for_seconds();
    if (s % 86400 == 0) return std::to_string(s / 86400) + (s == 86400 ? " day" : " days");
    if (s % 3600 == 0) return std::to_string(s / 3600) + (s == 3600 ? " hour" : " hours");
    if (s % 60 == 0) return std::to_string(s / 60) + " min";
    return std::to_string(s) + " s";
}

void plan_keeping(Node *stmt, std::vector<Finding> &findings, const std::vector<std::string> *emptied) {
    current_statement().keep = KeepPlan{};
    if (!keep_enabled() || dry_run_collector()) return;
    switch (nodeTag(stmt)) {
        case T_DropStmt: plan_drop(reinterpret_cast<DropStmt *>(stmt), findings); break;
        case T_DropOwnedStmt: plan_drop_owned(reinterpret_cast<DropOwnedStmt *>(stmt), findings); break;
        case T_AlterTableStmt: plan_drop_columns(reinterpret_cast<AlterTableStmt *>(stmt), findings); break;
        case T_TruncateStmt:
            if (emptied) plan_truncate(*emptied, findings);
            break;
        default: return;
    }
    const KeepPlan &plan = current_statement().keep;
    const bool none_lost = std::none_of(findings.begin(), findings.end(), [](const Finding &f) { return f.rule == "not-kept"; });
    if (none_lost && (!plan.tables.empty() || !plan.columns.empty() || !plan.rows.empty())) tell_kept(findings);
}

void keep_before_running(Node *) {
    KeepPlan &plan = current_statement().keep;
    if (plan.tables.empty() && plan.columns.empty() && plan.rows.empty()) return;
    const std::string tag = current_statement().command_tag, text = current_statement().text;

    // Tables: their rows copied and their definition recorded; PostgreSQL then drops them as it
    // would without the guard, and the drop's own audit rows get the kept items' ids.
    for (Oid relid : plan.tables) {
        KeptCopy *copy = nullptr;
        List *steps = NIL, *run_as = NIL;
        const std::string identity = display_of(relid);
        pg_call([&] {
            List *dropping = NIL;
            for (Oid o : plan.tables) dropping = lappend_oid(dropping, o);
            with_pinned_search_path([&] {
                copy = copy_table(relid);
                record_table(relid, dropping, &steps, &run_as);
            });
        });
        KeptRecord r = record_of(copy, relid, "table");
        r.recreate.clear();
        r.recreate_as.clear();
        ListCell *lc;
        foreach (lc, steps) r.recreate.emplace_back(static_cast<char *>(lfirst(lc)));
        foreach (lc, run_as) r.recreate_as.emplace_back(static_cast<char *>(lfirst(lc)));
        pg_call([&] {
            r.schema = get_namespace_name(get_rel_namespace(relid));
            r.table = get_rel_name(relid);
            r.table_owner = relation_owner(relid);
            HeapTuple t = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(get_rel_namespace(relid)));
            if (HeapTupleIsValid(t)) {
                r.schema_owner = GetUserNameFromId(reinterpret_cast<Form_pg_namespace>(GETSTRUCT(t))->nspowner, false);
                ReleaseSysCache(t);
            }
        });
        r.object_identity = identity;
        const int64_t id = insert_kept(r, tag, text);
        plan.kept.emplace_back(id, r.object_identity);
        plan.awaiting_audit.emplace_back(id, r.object_identity);
    }

    for (const KeepPlan::Column &c : plan.columns) {
        KeptCopy *copy = nullptr;
        pg_call([&] { with_pinned_search_path([&] { copy = copy_column(c.relid, c.attnum); }); });
        KeptRecord r = record_of(copy, c.relid, "column");
        const std::string table = display_of(c.relid);
        std::string column;
        pg_call([&] { column = get_attname(c.relid, c.attnum, false); });
        std::string unused;
        const QualifiedName q = split_object(table, unused);
        r.schema = q.schema;
        r.table = q.name;
        r.column = column;
        r.object_identity = table + "." + column;
        pg_call([&] { r.table_owner = relation_owner(c.relid); });
        const int64_t id = insert_kept(r, tag, text);
        plan.awaiting_audit.emplace_back(id, r.object_identity);
        plan.kept.emplace_back(id, r.object_identity);
    }
    for (Oid relid : plan.rows) {
        KeptCopy *copy = nullptr;
        pg_call([&] { with_pinned_search_path([&] { copy = copy_rows(relid); }); });
        KeptRecord r = record_of(copy, relid, "rows");
        record_rows_item(r, relid, tag, text, plan);
    }
    keep_within_total();
}

void plan_data_change_keep(const std::vector<std::pair<Oid, std::string>> &tables, const std::vector<Oid> &overwritten,
                           const std::map<Oid, int64_t> &deleted_rows, std::vector<Finding> &findings) {
    current_statement().keep = KeepPlan{};
    if (!keep_enabled() || dry_run_collector()) return;
    KeepPlan &plan = current_statement().keep;
    // The rows changed are at most the table: its size is the bound checked before copying (the
    // copy measures itself too, and stops at keep_max_size).
    const int64_t cap = keep_max_bytes();
    for (const auto &[relid, table] : tables) {
        plan.considered.push_back(table);
        int64 size = 0;
        pg_call([&] { size = rows_copy_size(relid); });
        if (cap >= 0 && size > cap) {
            findings.push_back(not_kept(table, "the rows it deletes or overwrites in " + table,
                                        "the table (" + format_bytes(size) + ") is larger than migration_guard.keep_max_size (" +
                                            format_bytes(cap) + ")"));
            continue;
        }
        plan.changed.push_back(relid);
    }
    plan.overwritten = overwritten;
    plan.deleted_rows = deleted_rows;
    if (!plan.changed.empty()) tell_kept(findings);
}

void keep_data_changes(CommandId since) {
    KeepPlan &plan = current_statement().keep;
    if (plan.changed.empty()) return;
    const std::string tag = current_statement().command_tag, text = current_statement().text;
    for (Oid relid : plan.changed) {
        KeptCopy *copy = nullptr;
        pg_call([&] { with_pinned_search_path([&] { copy = copy_changed_rows(relid, since); }); });
        const bool overwritten = std::find(plan.overwritten.begin(), plan.overwritten.end(), relid) != plan.overwritten.end();
        KeptRecord r = record_of(copy, relid, overwritten ? "overwritten" : "rows");
        // Put back by key only while the keys still say which row is which: every kept row whose key
        // is gone now must be one the change deleted (an UPDATE of the key itself leaves none).
        if (overwritten && !r.key_columns.empty()) {
            std::string key;
            for (const std::string &k : r.key_columns) key += (key.empty() ? "" : ", ") + std::string(quote_identifier(k.c_str()));
            uint64 present = 0;
            const auto deleted = plan.deleted_rows.find(relid);
            // As the guard: the key's types compare with built-in operators only (row_key()).
            pg_call([&] {
                const char *name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
                present = run_internal_sql(psprintf("SELECT 1 FROM ONLY %s WHERE (%s) IN (SELECT %s FROM %s.%s)", name,
                                                    key.c_str(), key.c_str(), kKeptSchema, quote_identifier(copy->kept_name)),
                                           extension_place_pg().owner, false, false);
            });
            const double gone = r.rows - static_cast<double>(present);
            if (gone != static_cast<double>(deleted == plan.deleted_rows.end() ? 0 : deleted->second)) r.key_columns.clear();
        }
        record_rows_item(r, relid, tag, text, plan);
    }
    keep_within_total();
}

void note_audit_ids(const std::vector<AuditRow> &rows, const std::vector<int64_t> &ids) {
    auto &waiting = current_statement().keep.awaiting_audit;
    if (waiting.empty()) return;
    for (auto it = waiting.begin(); it != waiting.end();) {
        bool done = false;
        for (size_t i = 0; i < rows.size() && !done; ++i)
            if (rows[i].object_identity == it->second && ids[i]) {
                set_kept_audit_id(it->first, ids[i]);
                done = true;
            }
        it = done ? waiting.erase(it) : it + 1;
    }
}

bool lost_without_keeping(const std::string &object) {
    if (!keep_enabled()) return false;
    const auto &seen = current_statement().keep.considered;
    return std::find(seen.begin(), seen.end(), object) == seen.end();
}

}  // namespace mg::server
