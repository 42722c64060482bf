// migration_guard.restore() and migration_guard.purge_kept(): putting a kept item back exactly,
// or letting it go. Both are for superusers and migration_guard_approver, and both are audited.
#include <algorithm>
#include <string>
#include <vector>

#include "server/usable.hpp"
#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/enforcement/statement_text.hpp"
#include "server/extension_cache.hpp"
#include "server/spi_rows.hpp"
#include "server/pinned_path.hpp"
#include "server/recycle_bin/copies.hpp"
#include "server/recycle_bin/inert.hpp"
#include "server/recycle_bin/internal_sql.hpp"
#include "server/recycle_bin/kept_store.hpp"
#include "server/recycle_bin/table_record.hpp"
#include "server/recycle_bin/purge.hpp"
#include "server/sqlstate.hpp"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
}

namespace mg::server {

namespace {

void require_approver(const char *what) {
    bool allowed = false;
    pg_call([&] {
        const Oid approver = get_role_oid("migration_guard_approver", true);
        allowed = superuser() || (OidIsValid(approver) && has_privs_of_role(GetUserId(), approver));
    });
    if (!allowed)
        throw UserError(ERRCODE_INSUFFICIENT_PRIVILEGE, std::string("only superusers and members of migration_guard_approver may ") + what,
                        "", "A superuser can run: GRANT migration_guard_approver TO <role>;");
}

std::string quoted(const std::string &schema, const std::string &name) {
    std::string out;
    pg_call([&] { out = quote_qualified_identifier(schema.c_str(), name.c_str()); });
    return out;
}

std::string ident(const std::string &name) {
    std::string out;
    pg_call([&] { out = quote_identifier(name.c_str()); });
    return out;
}

void audit(const char *tag, const KeptRecord &r, const std::string &what) {
    AuditRow row;
    row.command_tag = tag;
    row.object_type = r.kind == "table" ? "table" : r.kind == "column" ? "table column" : "table rows";
    row.object_identity = r.object_identity;
    row.statement = running_statement_text(nullptr) + (what.empty() ? "" : " -- " + what);
    row.decision = "allowed";
    write_audit_rows({row});
}

// A restore runs the owner's statements as the owner, and they name the table: an owner without
// USAGE (and CREATE) on its table's schema (an application role given a table) gets them for the
// restore's own transaction, and the schema's privileges are then put back exactly as they were.
// Nothing of it is visible to another session. On error the transaction rolls it back anyway.
struct LentSchema {
    Oid nsp = InvalidOid;
    bool lent = false;
    bool acl_null = true;
    Datum acl = 0;
};

LentSchema lend_schema(const std::string &schema, Oid role, bool create = false) {
    LentSchema l;
    pg_call([&] {
        l.nsp = get_namespace_oid(schema.c_str(), true);
        if (!OidIsValid(l.nsp)) return;
        // (pg_namespace_aclcheck passes on any one of the privileges asked: each is checked.)
        const bool has_usage = mg::pg::namespace_aclcheck(l.nsp, role, ACL_USAGE) == ACLCHECK_OK;
        const bool has_create = !create || mg::pg::namespace_aclcheck(l.nsp, role, ACL_CREATE) == ACLCHECK_OK;
        if (has_usage && has_create) return;
        HeapTuple t = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(l.nsp));
        if (!HeapTupleIsValid(t)) return;
        const Datum acl = SysCacheGetAttr(NAMESPACEOID, t, Anum_pg_namespace_nspacl, &l.acl_null);
        if (!l.acl_null) l.acl = PointerGetDatum(DatumGetAclPCopy(acl));
        ReleaseSysCache(t);
        run_internal_sql(psprintf("GRANT %s ON SCHEMA %s TO %s", create ? "USAGE, CREATE" : "USAGE", quote_identifier(schema.c_str()),
                                  quote_identifier(GetUserNameFromId(role, false))),
                         extension_place_pg().owner);
        CommandCounterIncrement();
        l.lent = true;
    });
    return l;
}

void give_back(const LentSchema &l) {
    if (!l.lent) return;
    pg_call([&] {
        Relation rel = table_open(NamespaceRelationId, RowExclusiveLock);
        HeapTuple t = SearchSysCacheCopy1(NAMESPACEOID, ObjectIdGetDatum(l.nsp));
        if (!HeapTupleIsValid(t)) {
            table_close(rel, RowExclusiveLock);
            return;
        }
        const Oid owner = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(t))->nspowner;
        bool now_null = true;
        const Datum now = heap_getattr(t, Anum_pg_namespace_nspacl, RelationGetDescr(rel), &now_null);
        Oid *old_members = nullptr, *new_members = nullptr;
        const int n_old = aclmembers(now_null ? acldefault(OBJECT_SCHEMA, owner) : DatumGetAclP(now), &old_members);
        const int n_new = aclmembers(l.acl_null ? acldefault(OBJECT_SCHEMA, owner) : DatumGetAclP(l.acl), &new_members);
        Datum values[Natts_pg_namespace] = {};
        bool nulls[Natts_pg_namespace] = {};
        bool replace[Natts_pg_namespace] = {};
        replace[Anum_pg_namespace_nspacl - 1] = true;
        nulls[Anum_pg_namespace_nspacl - 1] = l.acl_null;
        values[Anum_pg_namespace_nspacl - 1] = l.acl;
        HeapTuple updated = heap_modify_tuple(t, RelationGetDescr(rel), values, nulls, replace);
        CatalogTupleUpdate(rel, &updated->t_self, updated);
        updateAclDependencies(NamespaceRelationId, l.nsp, 0, owner, n_old, old_members, n_new, new_members);
        table_close(rel, RowExclusiveLock);
        CommandCounterIncrement();
    });
}

// Runs the recorded steps. Up to "@rows" (the table, its sequences, its rows) each must succeed or
// the restore fails and changes nothing; after it, each runs in a subtransaction and one that no
// longer fits (a view on a column since dropped, a role dropped since) is reported, not fatal.
template <typename AfterEssential>
std::vector<std::string> recreate(const KeptRecord &r, Oid default_role, uint64 *rows, AfterEssential &&after_essential) {
    std::vector<std::string> failed;
    const std::string table = quoted(r.schema, r.table);
    size_t essential = 0;
    for (size_t i = 0; i < r.recreate.size(); ++i)
        if (r.recreate[i] == "@rows") essential = i + 1;
    for (size_t i = 0; i < r.recreate.size(); ++i) {
        if (i == essential) after_essential();
        const std::string &step = r.recreate[i];
        if (step.rfind("-- not recreated: ", 0) == 0) {
            failed.push_back(step.substr(18));
            continue;
        }
        if (step.rfind("--", 0) == 0) {
            failed.push_back(step.substr(3));
            continue;
        }
        Oid role = default_role;
        if (i < r.recreate_as.size() && !r.recreate_as[i].empty())
            pg_call([&] { role = get_role_oid(r.recreate_as[i].c_str(), true); });
        if (!OidIsValid(role)) role = default_role;
        if (step == "@rows") {
            // The rows back from the copy, as the owner, without firing triggers (none exist yet).
            pg_call([&] {
                const char *columns = table_columns(r.kept_relid);
                const uint64 n = run_internal_sql(psprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s.%s",
                                                           table.c_str(), columns, columns, kKeptSchema,
                                                           quote_identifier(r.kept_name.c_str())),
                                                  role, true, true);
                if (rows) *rows = n;
                CommandCounterIncrement();
            });
            continue;
        }
        // An index that runs no code of anybody's: its owner gets CREATE on the schema for it.
        const bool lend_create = step.rfind("@create\t", 0) == 0;
        const std::string plain = lend_create ? step.substr(8) : step;
        // Steps recorded by oid become SQL now, while the oids still name what they did.
        std::string sql, why;
        pg_call([&] {
            const char *reason = nullptr;
            char *made = restore_step_sql(plain, table.c_str(), &reason);
            if (made) sql = made;
            if (reason) why = reason;
        });
        if (!why.empty()) {
            failed.push_back(why);
            continue;
        }
        if (i < essential) {
            pg_call([&] {
                run_internal_sql(sql.c_str(), role, true);
                CommandCounterIncrement();
            });
            continue;
        }
        const LentSchema lent = lend_create ? lend_schema(r.schema, role, true) : LentSchema{};
        ErrorData *error = pg_subtransaction([&] { run_internal_sql(sql.c_str(), role, true); });
        give_back(lent);
        if (error) failed.push_back(sql + " (" + (error->message ? error->message : "failed") + ")");
    }
    if (essential >= r.recreate.size()) after_essential();
    return failed;
}

std::vector<std::string> recreate(const KeptRecord &r, Oid default_role) { return recreate(r, default_role, nullptr, [] {}); }

// The copy stays readable by the table's owner for the restore's own statement only (the grants
// are never visible to another session: they are revoked before the transaction ends).
void lend_copy(const KeptRecord &r, bool grant, Oid to = InvalidOid) {
    pg_call([&] {
        const char *owner = quote_identifier(GetUserNameFromId(OidIsValid(to) ? to : r.table_owner, false));
        const char *table = quote_identifier(r.kept_name.c_str());
        const char *sql = grant ? psprintf("GRANT USAGE ON SCHEMA %s TO %s; GRANT SELECT ON %s.%s TO %s", kKeptSchema, owner,
                                           kKeptSchema, table, owner)
                                : psprintf("REVOKE SELECT ON %s.%s FROM %s; REVOKE USAGE ON SCHEMA %s FROM %s", kKeptSchema,
                                           table, owner, kKeptSchema, owner);
        run_internal_sql(sql, extension_place_pg().owner);
    });
}

// By name, without the caller's schema privileges: an approver restores in schemas it cannot use.
Oid current_relid(const KeptRecord &r) {
    Oid relid = InvalidOid;
    pg_call([&] {
        const Oid nsp = get_namespace_oid(r.schema.c_str(), true);
        relid = OidIsValid(nsp) ? get_relname_relid(r.table.c_str(), nsp) : InvalidOid;
    });
    return relid;
}

// Drops the bin's copy of an item, and only that: a relation that is no longer in the bin (put back
// by a restore, whatever the item says) is never touched. `wait`: false for purges, which skip an
// item someone holds a lock on (a later round takes it) rather than stall behind them.
bool drop_kept_relation(Oid relid, bool wait = true) {
    bool dropped = false;
    pg_call([&] {
        if (get_rel_namespace(relid) != kept_schema_oid()) return;
        if (wait) LockRelationOid(relid, AccessExclusiveLock);
        else if (!ConditionalLockRelationOid(relid, AccessExclusiveLock)) return;
        if (get_rel_namespace(relid) != kept_schema_oid()) return;
        dropped = true;
        set_kept_membership(relid, false);
        const ObjectAddress a{RelationRelationId, relid, 0};
        // Never into the extension: a member reached by the cascade (the copy's row type, which
        // ALTER EXTENSION ADD makes a member from 17 on, and pg_upgrade's restore of the guard
        // runs ALTER EXTENSION ADD) would otherwise take the whole extension with it.
        performDeletion(&a, DROP_CASCADE, PERFORM_DELETION_INTERNAL | PERFORM_DELETION_QUIETLY | PERFORM_DELETION_SKIP_EXTENSIONS);
        CommandCounterIncrement();
    });
    return dropped;
}

// The owner of what is restored must still exist: its statements run as that role, and no other
// role (the approver, the guard) may stand in for it.
void require_owner(const KeptRecord &r) {
    bool exists = false;
    pg_call([&] { exists = OidIsValid(r.table_owner) && SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(r.table_owner)); });
    if (!exists)
        throw UserError(ERRCODE_UNDEFINED_OBJECT,
                        "cannot restore " + r.object_identity + ": the role that owned it was dropped since",
                        "A restore runs the table's statements as its owner and as nobody else. The data stays in "
                        "migration_guard_kept." + r.kept_name + ".",
                        "A superuser can copy it back by hand (as the new owner of the table).");
}

bool relation_name_taken(const char *name, Oid nsp) {
    return OidIsValid(get_relname_relid(name, nsp)) ||
           OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name), ObjectIdGetDatum(nsp)));
}

std::string restore_table(const KeptRecord &r) {
    const std::string table = quoted(r.schema, r.table);
    const Oid owner = r.table_owner;
    require_owner(r);
    // A table kept by 0.1.0 was moved aside whole: there are no rows to copy back, the kept
    // relation is the table itself. Never dropped by a restore.
    if (std::find(r.recreate.begin(), r.recreate.end(), "@rows") == r.recreate.end())
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "cannot restore " + r.object_identity + ": it was kept by migration_guard 0.1.0 (moved aside whole)",
                        "The table itself, with its rows, is migration_guard_kept." + r.kept_name + ".",
                        "A superuser can put it back by hand: ALTER EXTENSION migration_guard DROP TABLE migration_guard_kept." +
                            r.kept_name + "; then ALTER TABLE ... SET SCHEMA, RENAME and OWNER TO.");
    pg_call([&] {
        if (get_rel_namespace(r.kept_relid) != kept_schema_oid())
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("the kept copy of %s is no longer in the recycle bin", table.c_str())));
        Oid nsp = get_namespace_oid(r.schema.c_str(), true);
        if (!OidIsValid(nsp)) {
            const Oid schema_role = r.schema_owner.empty() ? InvalidOid : get_role_oid(r.schema_owner.c_str(), true);
            nsp = NamespaceCreate(r.schema.c_str(), OidIsValid(schema_role) ? schema_role : owner, false);
            CommandCounterIncrement();
        }
        if (relation_name_taken(r.table.c_str(), nsp))
            ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
                            errmsg("cannot restore %s: a relation or type of that name exists since it was dropped", table.c_str()),
                            errhint("Rename or drop the new %s, then call migration_guard.restore() again.", table.c_str())));
    });
    // CREATE on the schema only while the table, its sequences and its rows are made (no code of
    // anybody's runs then); the owner's code (CHECKs, index expressions, triggers) runs after it
    // is given back, with USAGE at most.
    LentSchema lent = lend_schema(r.schema, owner, true);
    lend_copy(r, true, owner);
    uint64 rows = 0;
    const std::vector<std::string> failed = recreate(r, owner, &rows, [&] {
        give_back(lent);
        lent = lend_schema(r.schema, owner);
    });
    lend_copy(r, false, owner);
    give_back(lent);
    drop_kept_relation(r.kept_relid);
    size_t steps = 0;
    for (const auto &s : r.recreate) steps += s != "@rows";
    std::string out = "restored table " + table + " (" + std::to_string(rows) + " rows); recreated " + std::to_string(steps - failed.size()) + " of " + std::to_string(steps) +
                      " definitions";
    for (const auto &f : failed) out += "\nnot recreated: " + f;
    return out;
}

std::string restore_column(const KeptRecord &r) {
    require_owner(r);
    const std::string table = quoted(r.schema, r.table);
    const Oid relid = current_relid(r);
    if (!OidIsValid(relid) || relid != r.table_relid)
        throw UserError(ERRCODE_UNDEFINED_TABLE, "cannot restore column " + r.column + ": table " + table + " is gone or was replaced since",
                        "The values are kept in migration_guard_kept." + r.kept_name + ".",
                        "Restore the table first, or copy the values back by hand from that table.");
    AttrNumber existing = InvalidAttrNumber;
    bool keys_present = true;
    // The column's type by the oid recorded when it was kept: a type of that name made since is
    // another type, and the values stay in the bin.
    std::string type_sql, type_gone;
    Oid kept_type = InvalidOid;
    pg_call([&] {
        existing = get_attnum(relid, r.column.c_str());
        for (const auto &k : r.key_columns) keys_present = keys_present && get_attnum(relid, k.c_str()) > 0;
        if (r.shape.rfind("@type\t", 0) == 0) {
            kept_type = static_cast<Oid>(strtoul(r.shape.c_str() + 6, nullptr, 10));
            const char *why = nullptr;
            char *sql = restore_type_sql(r.shape, &why);
            if (why) type_gone = why;
            if (sql) type_sql = sql;
        } else {
            type_sql = r.column_type;  // kept before types were recorded by oid
        }
    });
    if (!type_gone.empty())
        throw UserError(ERRCODE_UNDEFINED_OBJECT, "cannot restore column " + r.column + " of " + table + ": " + type_gone,
                        "The values are kept as text in migration_guard_kept." + r.kept_name + ".",
                        "Copy the values back by hand, casting them to the type you want.");
    const Oid guard = extension_place().owner;
    const std::string column = ident(r.column);
    const LentSchema lent = lend_schema(r.schema, r.table_owner);
    // A down migration that re-added the column (same type, nothing in it yet) gets the values
    // back into it; a column that holds anything since is never overwritten.
    bool readded = false;
    if (existing != InvalidAttrNumber) {
        std::string type_now;
        uint64 filled = 1;
        bool same_oid = true;
        pg_call([&] {
            with_pinned_search_path([&] {
                Oid type;
                int32 typmod;
                Oid collation;
                get_atttypetypmodcoll(relid, existing, &type, &typmod, &collation);
                type_now = format_type_with_typemod(type, typmod);
                same_oid = !OidIsValid(kept_type) || type == kept_type;
            });
            filled = run_internal_sql(psprintf("SELECT 1 FROM %s WHERE %s IS NOT NULL LIMIT 1", table.c_str(), column.c_str()),
                                      r.table_owner, true);
        });
        const std::string kept_type_name = r.column_type.substr(0, r.column_type.find(" COLLATE "));
        const bool other_type = type_now != kept_type_name || !same_oid;
        if (other_type || filled > 0)
            throw UserError(ERRCODE_DUPLICATE_COLUMN,
                            "cannot restore column " + r.column + " of " + table + ": a column of that name exists since" +
                                (other_type ? " with another type (" + type_now + ")" : " and holds values"),
                            "", "Rename or drop the new column, then call migration_guard.restore() again.");
        readded = true;
    }
    if (!keys_present)
        throw UserError(ERRCODE_INVALID_TABLE_DEFINITION, "cannot restore column " + r.column + " of " + table + ": the table changed shape",
                        "The key the values were kept by is gone.", "Copy the values back by hand from migration_guard_kept." + r.kept_name + ".");
    if (!readded)
        pg_call([&] {
            // As the table's owner: a domain's DEFAULT or CHECK is the owner's code to run, never the guard's.
            run_internal_sql(psprintf("ALTER TABLE %s ADD COLUMN %s %s", table.c_str(), column.c_str(), type_sql.c_str()),
                             r.table_owner, true);
            CommandCounterIncrement();
        });
    lend_copy(r, true);
    std::string match;
    // By row identity: the slot and the inserting transaction (a copy made before the xmin was
    // kept matches by the slot alone).
    if (r.by_ctid) {
        bool has_xmin = false;
        pg_call([&] { has_xmin = get_attnum(r.kept_relid, "mg_xmin") > 0; });
        match = has_xmin ? "t.ctid = k.mg_ctid AND t.xmin = k.mg_xmin" : "t.ctid = k.mg_ctid";
    }
    for (const auto &k : r.key_columns) match += (match.empty() ? "" : " AND ") + ("t." + ident(k) + " = k." + ident(k));
    uint64 updated = 0;
    pg_call([&] {
        const std::string value = OidIsValid(kept_type) && !builtin_object(kept_type) ? "k." + column + "::" + type_sql.substr(0, type_sql.find(" COLLATE "))
                                                                                       : "k." + column;
        updated = run_internal_sql(psprintf("UPDATE %s t SET %s = %s FROM %s.%s k WHERE %s", table.c_str(), column.c_str(),
                                            value.c_str(), kKeptSchema, quote_identifier(r.kept_name.c_str()), match.c_str()),
                                   r.table_owner, true, true);
        if (!r.column_default.empty() && !readded)
            run_internal_sql(psprintf("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", table.c_str(), column.c_str(), r.column_default.c_str()), r.table_owner, true);
        if (r.column_not_null)
            run_internal_sql(psprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", table.c_str(), column.c_str()), guard);
    });
    lend_copy(r, false);
    const std::vector<std::string> failed = recreate(r, r.table_owner);
    give_back(lent);
    drop_kept_relation(r.kept_relid);
    std::string out = "restored column " + r.column + " of " + table + " (" + std::to_string(updated) + " values" +
                      (readded ? ", into the empty column of that name" : "") + ")";
    if (r.by_ctid) out += "; matched by row identity: rows updated since the drop got no value";
    for (const auto &f : failed) out += "\nnot recreated: " + f;
    return out;
}

// The rows go back with replica mode (no trigger fires, as they were): their foreign keys are
// checked here instead, each as PostgreSQL checks one (as the referenced table's owner), and a row
// whose parent is gone refuses the restore, which changes nothing. The parents' kept rows first.
void require_references(Oid relid, const std::string &table) {
    const auto checks = spi_rows(R"SQL(
SELECT c.conname, c.confrelid::regclass::text, r.relowner::text,
       format('SELECT 1 FROM ONLY %s k WHERE %s AND NOT EXISTS (SELECT 1 FROM ONLY %s p WHERE %s) LIMIT 1',
              c.conrelid::regclass, string_agg(format('k.%I IS NOT NULL', ka.attname), ' AND '),
              c.confrelid::regclass,
              string_agg(format('p.%I OPERATOR(%I.%s) k.%I', pa.attname, n.nspname, o.oprname, ka.attname), ' AND '))
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_class r ON r.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey, c.conpfeqop) AS u(k, pk, op)
JOIN pg_catalog.pg_attribute ka ON ka.attrelid = c.conrelid AND ka.attnum = u.k
JOIN pg_catalog.pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = u.pk
JOIN pg_catalog.pg_operator o ON o.oid = u.op
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
WHERE c.contype = 'f' AND c.conrelid = $1::oid::regclass
GROUP BY c.oid, c.conname, c.conrelid, c.confrelid, r.relowner)SQL",
                                 std::to_string(relid).c_str());
    for (const auto &row : checks) {
        uint64 orphans = 0;
        pg_call([&] {
            orphans = run_internal_sql(row[3].c_str(), static_cast<Oid>(std::stoul(row[2])), true, false);
        });
        if (orphans > 0)
            throw UserError(ERRCODE_FOREIGN_KEY_VIOLATION,
                            "cannot restore the rows of " + table + ": some reference rows of " + row[1] +
                                " that are not there (foreign key " + row[0] + ")",
                            "Nothing was restored.",
                            "Restore the kept rows of " + row[1] + " first (SELECT * FROM migration_guard.kept), then these.");
    }
}

// `overwritten`: the rows an UPDATE or MERGE changed (and any it deleted): the rows now under the
// same key are replaced by the kept ones, so the key must still say which row is which.
std::string restore_rows(const KeptRecord &r, bool overwritten = false) {
    require_owner(r);
    if (overwritten && r.key_columns.empty())
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "cannot restore the overwritten rows of " + quoted(r.schema, r.table) +
                            ": the table has no primary key, or the change rewrote the keys themselves",
                        "Their values before the change are kept in migration_guard_kept." + r.kept_name + ".",
                        "Put them back by hand from that table, matching rows as your data allows.");
    const std::string table = quoted(r.schema, r.table);
    const Oid relid = current_relid(r);
    if (!OidIsValid(relid) || relid != r.table_relid)
        throw UserError(ERRCODE_UNDEFINED_TABLE, "cannot restore the rows of " + table + ": the table is gone or was replaced since",
                        "The rows are kept in migration_guard_kept." + r.kept_name + ".", "Copy them back by hand from that table.");
    std::string shape;
    pg_call([&] { shape = table_shape(relid); });
    if (shape != r.shape)
        throw UserError(ERRCODE_INVALID_TABLE_DEFINITION, "cannot restore the rows of " + table + ": the table changed shape since",
                        "Kept: (" + r.shape + "); now: (" + shape + ").",
                        "Copy them back by hand from migration_guard_kept." + r.kept_name + ".");
    // Same shape: the same columns, in the same order.
    std::string columns, values;
    pg_call([&] {
        columns = table_columns(relid);
        values = restored_columns(relid, "k");
    });
    const LentSchema lent = lend_schema(r.schema, r.table_owner);
    lend_copy(r, true);
    uint64 inserted = 0;
    if (overwritten) {
        std::string key;
        for (const std::string &k : r.key_columns) key += (key.empty() ? "" : ", ") + std::string(quote_identifier(k.c_str()));
        pg_call([&] {
            run_internal_sql(psprintf("DELETE FROM %s WHERE (%s) IN (SELECT %s FROM %s.%s)", table.c_str(), key.c_str(), key.c_str(),
                                      kKeptSchema, quote_identifier(r.kept_name.c_str())),
                             r.table_owner, true, true);
        });
    }
    pg_call([&] {
        inserted = run_internal_sql(psprintf("INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %s.%s k", table.c_str(),
                                             columns.c_str(), values.c_str(), kKeptSchema, quote_identifier(r.kept_name.c_str())),
                                    r.table_owner, true, true);
    });
    lend_copy(r, false);
    give_back(lent);
    require_references(relid, table);
    drop_kept_relation(r.kept_relid);
    return std::string(overwritten ? "put back the values before the change of " : "restored ") + std::to_string(inserted) +
           " rows of " + table;
}

}  // namespace

// Drops one kept item's table and records it; false when it had ended already.
bool purge_one(int64_t id, const char *why) {
    KeptRecord r;
    if (!load_kept(id, r) || !r.ended_how.empty()) return false;
    bool in_bin = false, locked = true;
    pg_call([&] {
        in_bin = get_rel_namespace(r.kept_relid) == kept_schema_oid();
        if (in_bin) locked = ConditionalLockRelationOid(r.kept_relid, AccessShareLock);
    });
    if (in_bin && !locked) return false;  // in use: the next round
    if (in_bin) drop_kept_relation(r.kept_relid, false);
    end_kept(id, "purged");
    audit("PURGE KEPT", r, why);
    return true;
}

}  // namespace mg::server

MG_SQL_FUNCTION(migration_guard_restore) {
    mg::server::refuse_unusable("migration_guard.restore()");
    using namespace mg::server;
    require_approver("restore kept objects");
    const int64_t id = PG_GETARG_INT64(0);
    KeptRecord r;
    if (!load_kept(id, r))
        throw UserError(ERRCODE_UNDEFINED_OBJECT, "no kept item " + std::to_string(id), "",
                        "SELECT * FROM migration_guard.kept lists what the recycle bin holds.");
    if (!r.ended_how.empty())
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "the kept " + r.kind + " " + r.object_identity + " was " + r.ended_how + " already");
    const std::string result = r.kind == "table"    ? restore_table(r)
                               : r.kind == "column" ? restore_column(r)
                                                    : restore_rows(r, r.kind == "overwritten");
    end_kept(id, "restored");
    audit("RESTORE KEPT", r, "");
    PG_RETURN_TEXT_P(cstring_to_text(result.c_str()));
}

MG_SQL_FUNCTION(migration_guard_purge_kept) {
    mg::server::refuse_unusable("migration_guard.purge_kept()");
    using namespace mg::server;
    require_approver("purge kept objects");
    std::string older_than;
    if (!PG_ARGISNULL(0))
        pg_call([&] { older_than = DatumGetCString(DirectFunctionCall1(interval_out, PG_GETARG_DATUM(0))); });
    int64_t purged = 0;
    for (int64_t id : expired_kept(older_than.empty() ? nullptr : older_than.c_str()))
        if (purge_one(id, older_than.empty() ? "retention passed" : ("kept longer than " + older_than).c_str())) ++purged;
    PG_RETURN_INT64(purged);
}
