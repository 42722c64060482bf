// Command tags for raw statements, as PostgreSQL reports them. The server uses its own
// CreateCommandTag(); this copy serves the CLI and covers the statements migrations contain.
#include "engine/analyzer.hpp"
#include "engine/node_names.hpp"

namespace mg {

namespace {

std::string alter_of(ObjectType t) { return std::string("ALTER ") + object_type_name(t); }

std::string transaction_tag(const TransactionStmt *s) {
    switch (s->kind) {
        case TRANS_STMT_BEGIN: return "BEGIN";
        case TRANS_STMT_START: return "START TRANSACTION";
        case TRANS_STMT_COMMIT: return "COMMIT";
        case TRANS_STMT_ROLLBACK: return "ROLLBACK";
        case TRANS_STMT_SAVEPOINT: return "SAVEPOINT";
        case TRANS_STMT_RELEASE: return "RELEASE";
        case TRANS_STMT_ROLLBACK_TO: return "ROLLBACK";
        case TRANS_STMT_PREPARE: return "PREPARE TRANSACTION";
        case TRANS_STMT_COMMIT_PREPARED: return "COMMIT PREPARED";
        case TRANS_STMT_ROLLBACK_PREPARED: return "ROLLBACK PREPARED";
    }
    return "TRANSACTION";
}

}  // namespace

std::string command_tag(const Node *stmt) {
    if (!stmt) return "";
    switch (nodeTag(stmt)) {
        case T_SelectStmt: return "SELECT";
        case T_InsertStmt: return "INSERT";
        case T_UpdateStmt: return "UPDATE";
        case T_DeleteStmt: return "DELETE";
        case T_MergeStmt: return "MERGE";
        case T_CreateStmt: return "CREATE TABLE";
        case T_CreateTableAsStmt: {
            const CreateTableAsStmt *s = reinterpret_cast<const CreateTableAsStmt *>(stmt);
            if (s->objtype == OBJECT_MATVIEW) return "CREATE MATERIALIZED VIEW";
            return s->is_select_into ? "SELECT" : "CREATE TABLE AS";
        }
        case T_ViewStmt: return "CREATE VIEW";
        case T_IndexStmt: return "CREATE INDEX";
        case T_CreateSeqStmt: return "CREATE SEQUENCE";
        case T_AlterSeqStmt: return "ALTER SEQUENCE";
        case T_CreateSchemaStmt: return "CREATE SCHEMA";
        case T_CreateFunctionStmt:
            return reinterpret_cast<const CreateFunctionStmt *>(stmt)->is_procedure ? "CREATE PROCEDURE"
                                                                                     : "CREATE FUNCTION";
        case T_CreateTrigStmt: return "CREATE TRIGGER";
        case T_CreateEnumStmt:
        case T_CreateRangeStmt:
        case T_CompositeTypeStmt: return "CREATE TYPE";
        case T_CreateDomainStmt: return "CREATE DOMAIN";
        case T_CreateExtensionStmt: return "CREATE EXTENSION";
        case T_CreatePolicyStmt: return "CREATE POLICY";
        case T_AlterPolicyStmt: return "ALTER POLICY";
        case T_CreateRoleStmt: return "CREATE ROLE";
        case T_AlterRoleStmt: return "ALTER ROLE";
        case T_DropRoleStmt: return "DROP ROLE";
        case T_AlterEnumStmt: return "ALTER TYPE";
        case T_AlterDomainStmt: return "ALTER DOMAIN";
        case T_AlterTableStmt: return alter_of(reinterpret_cast<const AlterTableStmt *>(stmt)->objtype);
        case T_RenameStmt: {
            const RenameStmt *s = reinterpret_cast<const RenameStmt *>(stmt);
            ObjectType t = s->renameType;
            if (t == OBJECT_COLUMN || t == OBJECT_TABCONSTRAINT || t == OBJECT_TRIGGER || t == OBJECT_POLICY ||
                t == OBJECT_RULE)
                t = s->relationType;
            return alter_of(t);
        }
        case T_AlterObjectSchemaStmt:
            return alter_of(reinterpret_cast<const AlterObjectSchemaStmt *>(stmt)->objectType);
        case T_AlterOwnerStmt: return alter_of(reinterpret_cast<const AlterOwnerStmt *>(stmt)->objectType);
        case T_DropStmt:
            return std::string("DROP ") + object_type_name(reinterpret_cast<const DropStmt *>(stmt)->removeType);
        case T_DropdbStmt: return "DROP DATABASE";
        case T_CreatedbStmt: return "CREATE DATABASE";
        case T_DropOwnedStmt: return "DROP OWNED";
        case T_ReassignOwnedStmt: return "REASSIGN OWNED";
        case T_TruncateStmt: return "TRUNCATE TABLE";
        case T_CommentStmt: return "COMMENT";
        case T_GrantStmt: return reinterpret_cast<const GrantStmt *>(stmt)->is_grant ? "GRANT" : "REVOKE";
        case T_GrantRoleStmt:
            return reinterpret_cast<const GrantRoleStmt *>(stmt)->is_grant ? "GRANT ROLE" : "REVOKE ROLE";
        case T_VacuumStmt:
            return reinterpret_cast<const VacuumStmt *>(stmt)->is_vacuumcmd ? "VACUUM" : "ANALYZE";
        case T_ClusterStmt: return "CLUSTER";
        case T_ReindexStmt: return "REINDEX";
        case T_RefreshMatViewStmt: return "REFRESH MATERIALIZED VIEW";
        case T_TransactionStmt: return transaction_tag(reinterpret_cast<const TransactionStmt *>(stmt));
        case T_VariableSetStmt:
            return reinterpret_cast<const VariableSetStmt *>(stmt)->kind == VAR_RESET ||
                           reinterpret_cast<const VariableSetStmt *>(stmt)->kind == VAR_RESET_ALL
                       ? "RESET"
                       : "SET";
        case T_VariableShowStmt: return "SHOW";
        case T_DoStmt: return "DO";
        case T_CallStmt: return "CALL";
        case T_CopyStmt: return "COPY";
        case T_LockStmt: return "LOCK TABLE";
        case T_ExplainStmt: return "EXPLAIN";
        case T_AlterSystemStmt: return "ALTER SYSTEM";
        case T_AlterDatabaseSetStmt:
        case T_AlterDatabaseStmt: return "ALTER DATABASE";
        case T_AlterFunctionStmt: return "ALTER FUNCTION";
        case T_CreateEventTrigStmt: return "CREATE EVENT TRIGGER";
        case T_AlterEventTrigStmt: return "ALTER EVENT TRIGGER";
        case T_AlterExtensionStmt: return "ALTER EXTENSION";
        case T_RuleStmt: return "CREATE RULE";
        case T_DropTableSpaceStmt: return "DROP TABLESPACE";
        case T_CreateTableSpaceStmt: return "CREATE TABLESPACE";
        case T_CreateStatsStmt: return "CREATE STATISTICS";
        case T_CreatePublicationStmt: return "CREATE PUBLICATION";
        case T_AlterPublicationStmt: return "ALTER PUBLICATION";
        case T_NotifyStmt: return "NOTIFY";
        case T_ListenStmt: return "LISTEN";
        case T_DeallocateStmt: return "DEALLOCATE";
        case T_PrepareStmt: return "PREPARE";
        case T_ExecuteStmt: return "EXECUTE";
        case T_DiscardStmt: return "DISCARD";
        default: return "???";
    }
}

}  // namespace mg
