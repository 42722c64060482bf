#include "server/enforcement/lock_wait.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/lock_mode.hpp"
#include "engine/text_position.hpp"
#include "server/audit/audit.hpp"
#include "server/boundary.hpp"
#include "server/enforcement/statement_text.hpp"
#include "server/settings.hpp"

extern "C" {
#include "catalog/pg_authid.h"
#include "commands/defrem.h"
#include "commands/tablecmds.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/sinvaladt.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/timestamp.h"
}

namespace mg::server {

namespace {

// The untranslated text of PostgreSQL's lock_timeout error (postgres.c), to tell it from NOWAIT.
constexpr const char *kLockTimeoutMessage = "canceling statement due to lock timeout";

void add_target(LockWaitPlan &plan, const RangeVar *rv, LOCKMODE mode) {
    if (!rv) return;
    const Oid relid = RangeVarGetRelid(rv, NoLock, true);
    // Missing (IF EXISTS, or an error soon) or temporary: no other session can hold its lock.
    if (!OidIsValid(relid) || get_rel_persistence(relid) == RELPERSISTENCE_TEMP) return;
    for (int i = 0; i < plan.count; ++i)
        if (plan.targets[i].relid == relid) {
            plan.targets[i].mode = std::max(plan.targets[i].mode, mode);
            return;
        }
    if (plan.count < LockWaitPlan::kMaxTargets) plan.targets[plan.count++] = {relid, mode};
}

void add_foreign_keys(LockWaitPlan &plan, List *constraints) {
    ListCell *lc;
    foreach (lc, constraints) {
        Node *n = static_cast<Node *>(lfirst(lc));
        if (IsA(n, Constraint) && castNode(Constraint, n)->contype == CONSTR_FOREIGN)
            add_target(plan, castNode(Constraint, n)->pktable, ShareRowExclusiveLock);
    }
}

void plan_alter_table(LockWaitPlan &plan, AlterTableStmt *stmt) {
    add_target(plan, stmt->relation, AlterTableGetLockLevel(stmt->cmds));
    ListCell *lc;
    foreach (lc, stmt->cmds) {
        AlterTableCmd *cmd = castNode(AlterTableCmd, lfirst(lc));
        if (!cmd->def) continue;
        if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint))
            add_foreign_keys(plan, list_make1(cmd->def));
        else if (cmd->subtype == AT_AddColumn && IsA(cmd->def, ColumnDef))
            add_foreign_keys(plan, castNode(ColumnDef, cmd->def)->constraints);
    }
}

bool is_relation_kind(ObjectType type) {
    switch (type) {
        case OBJECT_TABLE:
        case OBJECT_VIEW:
        case OBJECT_MATVIEW:
        case OBJECT_SEQUENCE:
        case OBJECT_FOREIGN_TABLE:
        case OBJECT_INDEX:
            return true;
        default:
            return false;
    }
}

void plan_drop(LockWaitPlan &plan, DropStmt *stmt) {
    const bool on_table = stmt->removeType == OBJECT_TRIGGER || stmt->removeType == OBJECT_RULE ||
                          stmt->removeType == OBJECT_POLICY;
    if (!on_table && !is_relation_kind(stmt->removeType)) return;
    if (stmt->removeType == OBJECT_INDEX && stmt->concurrent) return;
    ListCell *lc;
    foreach (lc, stmt->objects) {
        List *names = static_cast<List *>(lfirst(lc));
        if (on_table) {
            if (list_length(names) < 2) continue;
            names = list_truncate(list_copy(names), list_length(names) - 1);
        }
        add_target(plan, makeRangeVarFromNameList(names), AccessExclusiveLock);
    }
}

void plan_create(LockWaitPlan &plan, CreateStmt *stmt) {
    // PARTITION OF takes ACCESS EXCLUSIVE on the parent; INHERITS only SHARE UPDATE EXCLUSIVE.
    if (stmt->partbound && stmt->inhRelations != NIL)
        add_target(plan, linitial_node(RangeVar, stmt->inhRelations), AccessExclusiveLock);
    ListCell *lc;
    foreach (lc, stmt->tableElts) {
        Node *n = static_cast<Node *>(lfirst(lc));
        if (IsA(n, ColumnDef))
            add_foreign_keys(plan, castNode(ColumnDef, n)->constraints);
        else
            add_foreign_keys(plan, list_make1(n));
    }
}

void plan_vacuum(LockWaitPlan &plan, VacuumStmt *stmt) {
    bool full = false;
    ListCell *lc;
    foreach (lc, stmt->options) {
        DefElem *opt = castNode(DefElem, lfirst(lc));
        if (strcmp(opt->defname, "full") == 0) full = defGetBoolean(opt);
    }
    if (!full) return;
    foreach (lc, stmt->rels) add_target(plan, castNode(VacuumRelation, lfirst(lc))->relation, AccessExclusiveLock);
}

void plan_rename(LockWaitPlan &plan, RenameStmt *stmt) {
    switch (stmt->renameType) {
        case OBJECT_INDEX:
            add_target(plan, stmt->relation, ShareUpdateExclusiveLock);
            break;
        case OBJECT_TABLE:
        case OBJECT_VIEW:
        case OBJECT_MATVIEW:
        case OBJECT_SEQUENCE:
        case OBJECT_FOREIGN_TABLE:
        case OBJECT_COLUMN:
        case OBJECT_TABCONSTRAINT:
        case OBJECT_TRIGGER:
        case OBJECT_POLICY:
        case OBJECT_RULE:
            add_target(plan, stmt->relation, AccessExclusiveLock);
            break;
        default:
            break;
    }
}

// One session holding a lock that conflicts with the one the statement needed, as
// pg_stat_activity shows it to the current role.
struct Blocker {
    int pid = 0;
    std::string role, application, state, query;
    long xact_seconds = -1;
    bool visible = false;
};

const char *state_name(BackendState s) {
    switch (s) {
        case STATE_RUNNING: return "active";
        case STATE_IDLE: return "idle";
        case STATE_IDLEINTRANSACTION: return "idle in transaction";
        case STATE_FASTPATH: return "fastpath function call";
        case STATE_IDLEINTRANSACTION_ABORTED: return "idle in transaction (aborted)";
        case STATE_DISABLED: return "disabled";
        default: return "";
    }
}

// PostgreSQL code only (shared lock table, backend status); called with no LWLock held, as
// after any lock failure (interrupts are not serviced while one is held).
void collect_blockers(const LockTarget &target, std::vector<Blocker> &out) {
    LOCKTAG tag;
    SET_LOCKTAG_RELATION(tag, MyDatabaseId, target.relid);
    int n = 0;
    VirtualTransactionId *holders = GetLockConflicts(&tag, target.mode, &n);
    if (n == 0) return;
    pgstat_clear_backend_activity_snapshot();
    const int backends = pgstat_fetch_stat_numbackends();
    // Decided for the session's role (SET ROLE included), not the identity the guard's own SQL runs
    // as: a restore runs as the extension owner, and may not show the approver others' queries.
    const Oid viewer = GetOuterUserId();
    const bool read_all = has_privs_of_role(viewer, ROLE_PG_READ_ALL_STATS);
    for (int i = 0; i < n; ++i) {
        PGPROC *proc = mg::pg::vxid_proc(holders[i]);
        Blocker b;
        b.pid = proc ? proc->pid : 0;
        if (b.pid == MyProcPid) continue;
        bool seen = false;
        for (const Blocker &o : out) seen = seen || (b.pid != 0 && o.pid == b.pid);
        if (seen) continue;
        for (int j = 1; j <= backends && b.pid != 0; ++j) {
            LocalPgBackendStatus *local = mg::pg::local_backend_status(j);
            if (!local || local->backendStatus.st_procpid != b.pid) continue;
            const PgBackendStatus &s = local->backendStatus;
            if (const char *name = GetUserNameFromId(s.st_userid, true)) b.role = name;
            b.application = s.st_appname ? s.st_appname : "";
            // The same rule as pg_stat_activity: state and query only for one's own roles.
            b.visible = read_all || has_privs_of_role(viewer, s.st_userid);
            if (b.visible) {
                b.state = state_name(s.st_state);
                if (s.st_xact_start_timestamp != 0)
                    b.xact_seconds = static_cast<long>((GetCurrentTimestamp() - s.st_xact_start_timestamp) / USECS_PER_SEC);
                if (s.st_activity_raw) {
                    char *clipped = pgstat_clip_activity(s.st_activity_raw);
                    b.query = clipped;
                    pfree(clipped);
                }
            }
            break;
        }
        out.push_back(std::move(b));
    }
}

std::string one_line(std::string text, size_t limit) {
    for (char &c : text)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (text.size() > limit) text = text.substr(0, limit) + "...";
    return escape_control(text);
}

std::string short_form(const Blocker &b) {
    if (b.pid == 0) return "a prepared transaction (see pg_prepared_xacts)";
    std::string s = "pid " + std::to_string(b.pid) + " (role " + (b.role.empty() ? "?" : one_line(b.role, 63));
    if (!b.application.empty()) s += ", application \"" + one_line(b.application, 63) + "\"";
    if (!b.state.empty()) s += ", " + b.state;
    if (b.xact_seconds >= 0) s += ", transaction open " + std::to_string(b.xact_seconds) + " s";
    return s + ")";
}

std::string long_form(const Blocker &b) {
    std::string s = short_form(b);
    if (b.pid == 0) return s;
    s += b.visible ? ", query: " + one_line(b.query, 120) : ", query: <insufficient privilege>";
    return s;
}

std::string mode_sql_name(LOCKMODE mode) { return lock_mode_name(static_cast<LockMode>(mode)); }

}  // namespace

bool takes_table_locks(const Node *stmt) {
    switch (nodeTag(stmt)) {
        case T_AlterTableStmt:
        case T_DropStmt:
        case T_TruncateStmt:
        case T_RenameStmt:
        case T_CreateTrigStmt:
        case T_CreateStmt:
        case T_CreatePolicyStmt:
        case T_AlterPolicyStmt:
        case T_RuleStmt:
        case T_IndexStmt:
        case T_ClusterStmt:
        case T_VacuumStmt:
        case T_AlterObjectSchemaStmt:
            return true;
        default:
            return false;
    }
}

LockWaitPlan plan_lock_wait(Node *stmt) {
    LockWaitPlan plan;
    pg_call([&] {
        switch (nodeTag(stmt)) {
            case T_AlterTableStmt: plan_alter_table(plan, castNode(AlterTableStmt, stmt)); break;
            case T_DropStmt: plan_drop(plan, castNode(DropStmt, stmt)); break;
            case T_TruncateStmt: {
                ListCell *lc;
                foreach (lc, castNode(TruncateStmt, stmt)->relations)
                    add_target(plan, lfirst_node(RangeVar, lc), AccessExclusiveLock);
                break;
            }
            case T_RenameStmt: plan_rename(plan, castNode(RenameStmt, stmt)); break;
            case T_CreateTrigStmt:
                add_target(plan, castNode(CreateTrigStmt, stmt)->relation, ShareRowExclusiveLock);
                break;
            case T_CreateStmt: plan_create(plan, castNode(CreateStmt, stmt)); break;
            case T_CreatePolicyStmt:
                add_target(plan, castNode(CreatePolicyStmt, stmt)->table, AccessExclusiveLock);
                break;
            case T_AlterPolicyStmt:
                add_target(plan, castNode(AlterPolicyStmt, stmt)->table, AccessExclusiveLock);
                break;
            case T_RuleStmt: add_target(plan, castNode(RuleStmt, stmt)->relation, AccessExclusiveLock); break;
            case T_IndexStmt: {
                IndexStmt *index = castNode(IndexStmt, stmt);
                add_target(plan, index->relation, index->concurrent ? ShareUpdateExclusiveLock : ShareLock);
                break;
            }
            case T_ClusterStmt: add_target(plan, castNode(ClusterStmt, stmt)->relation, AccessExclusiveLock); break;
            case T_VacuumStmt: plan_vacuum(plan, castNode(VacuumStmt, stmt)); break;
            case T_AlterObjectSchemaStmt: {
                AlterObjectSchemaStmt *move = castNode(AlterObjectSchemaStmt, stmt);
                if (is_relation_kind(move->objectType)) add_target(plan, move->relation, AccessExclusiveLock);
                break;
            }
            default: break;
        }
    });
    for (int i = 0; i < plan.count; ++i) plan.strong = plan.strong || plan.targets[i].mode >= ShareRowExclusiveLock;
    return plan;
}

int apply_lock_timeout(const LockWaitPlan &plan) {
    const int ms = lock_timeout_ms();
    if (!plan.strong || ms <= 0 || LockTimeout != 0) return -1;
    const int level = NewGUCNestLevel();
    char value[32];
    snprintf(value, sizeof(value), "%d", ms);
    // Saved at this nest level: popped when the statement ends, and by any (sub)transaction abort.
    (void) set_config_option("lock_timeout", value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    return level;
}

void restore_lock_timeout(int nest_level) {
    if (nest_level >= 0) AtEOXact_GUC(true, nest_level);
}

void raise_lock_failure_if_any(const LockWaitPlan &plan, Node *stmt, bool applied) {
    if (plan.count == 0 || geterrcode() != ERRCODE_LOCK_NOT_AVAILABLE) return;
    MemoryContext caller = MemoryContextSwitchTo(error_keep_context());
    ErrorData *original = CopyErrorData();
    FlushErrorState();
    MemoryContextSwitchTo(caller);
    const bool timed_out = original->message_id && strcmp(original->message_id, kLockTimeoutMessage) == 0;
    const int waited_ms = LockTimeout;
    const char *command_tag = GetCommandTagName(CreateCommandTag(stmt));
    const bool explained = enter_cpp("lock wait", [&]() -> bool {
        std::vector<Blocker> blockers;
        std::string where, lock_name;
        std::vector<std::string> names;
        try {
            for (int i = 0; i < plan.count; ++i) {
                const LockTarget &t = plan.targets[i];
                const size_t before = blockers.size();
                std::string name;
                pg_call([&] {
                    collect_blockers(t, blockers);
                    name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(t.relid)), get_rel_name(t.relid));
                });
                names.push_back(name);
                if (where.empty() || blockers.size() > before) {
                    where = name;
                    lock_name = mode_sql_name(t.mode);
                }
            }
        } catch (const std::exception &) {
            return false;  // nothing better to say than PostgreSQL did
        }
        std::string message = "migration_guard: " + std::string(command_tag) +
                              (timed_out ? " gave up after " + std::to_string(waited_ms) + " ms waiting for"
                                         : " could not get at once") +
                              " its " + lock_name + " lock on " + escape_control(where);
        if (blockers.empty())
            message += "; the session holding it has finished since, or another waiting statement was ahead";
        else {
            message += ", held by " + short_form(blockers.front());
            if (blockers.size() > 1) message += " and " + std::to_string(blockers.size() - 1) + " more";
        }
        message += "; nothing was changed";
        std::string detail;
        for (const Blocker &b : blockers) detail += (detail.empty() ? "In the way: " : "\n") + long_form(b);
        if (!detail.empty()) detail += ".";
        std::string hint = "Retry when they have finished (a migration tool can retry on SQLSTATE 55P03), or end them";
        if (!blockers.empty() && blockers.front().pid != 0)
            hint += " (SELECT pg_terminate_backend(" + std::to_string(blockers.front().pid) + "))";
        hint += ". ";
        hint += applied ? "The guard bounded the wait with migration_guard.lock_timeout so that the queries behind "
                          "this statement were not stuck; SET lock_timeout to choose your own."
                        : "Waiting longer keeps every later query on the table queued behind this statement.";
        if (mode() != Mode::Off) {
            std::vector<AuditRow> rows;
            for (const std::string &name : names) {
                AuditRow r;
                r.command_tag = command_tag;
                r.object_type = "table";
                r.object_identity = name;
                r.statement = running_statement_text(stmt);
                r.rules = {"lock-wait-timeout"};
                r.risk = Risk::High;
                r.decision = "blocked";
                rows.push_back(std::move(r));
            }
            try {
                record_blocked(rows);
            } catch (const std::exception &) {
                // The error below matters more than its audit row.
            }
        }
        throw UserError(ERRCODE_LOCK_NOT_AVAILABLE, message, detail, hint);
    });
    if (!explained) ReThrowError(original);
}

}  // namespace mg::server
