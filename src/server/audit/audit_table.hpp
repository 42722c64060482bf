// Rows into the guard's audit tables without SPI: a heap insert with its index entries and
// constraints, as the executor does it, but without parsing, planning or an executor start per
// row (an SPI INSERT cost ~300,000 instructions a row; this, a few thousand). No name is resolved
// at all, so no search_path or planted function or operator can take part, and no privilege is
// checked: the guard writes its own log. Triggers on the audit tables are not fired (the
// extension's own forbid only UPDATE, DELETE and TRUNCATE); NOT NULL is checked, and the one
// CHECK (decision) by the writer itself.
#pragma once

#include <cstdint>

#include "server/pg_prelude.hpp"

extern "C" {
#include "nodes/execnodes.h"
}

namespace mg::server {

// Who, where and when: the session's side of every row. Strings may be null (written as NULL).
struct AuditSession {
    const char *role_name = nullptr;
    const char *session_role = nullptr;
    const char *application_name = nullptr;
    const char *client_addr = nullptr;  // nullptr: local socket
    int backend_pid = 0;
    uint64 xid = 0;                     // 0: no transaction id was assigned
    TimestampTz logged_at = 0;
    const char *migration_id = nullptr;
};

// What one row says about one object.
struct AuditFields {
    const char *command_tag = nullptr;
    const char *object_type = nullptr;
    const char *object_identity = nullptr;
    const char *statement = nullptr;
    const char *rules = nullptr;  // rule ids separated by newlines
    const char *risk = "low";
    const char *decision = "allowed";
    int64 approval_id = 0;
    const char *undo_sql = nullptr;
    int64_t rows_affected = -1;  // a data change: the rows it deleted or overwrote in the table; -1: NULL
    int64 request_id = 0;        // a blocked attempt's approval request; 0: NULL
};

// One of the guard's own tables opened for appending rows below SQL. PostgreSQL code only: every
// call may ereport; on an error the transaction's abort closes what is open.
class RowAppender {
public:
    explicit RowAppender(Oid relid);
    // The 0-based attribute of that column, or -1 (a column the table does not have is left out);
    // `expected`, where it usually is, is tried first.
    int attribute(const char *column, int expected = -1) const;
    // Starts a row of NULLs; set() fills it; append() checks NOT NULL and writes it with its index
    // entries.
    void begin_row();
    void set(int attribute, Datum value);
    void set_text(int attribute, const char *value);  // NULL for a null or empty string
    Oid type_of(int attribute) const;
    void append();
    void close();

private:
    Relation rel_ = nullptr;
    EState *estate_ = nullptr;
    ResultRelInfo *rri_ = nullptr;
    TupleTableSlot *slot_ = nullptr;
};

// An audit table (audit_change, audit_blocked) opened for appending.
class AuditTable {
public:
    explicit AuditTable(Oid relid);
    // Returns the new row's id.
    int64 insert(const AuditSession &session, const AuditFields &fields);
    void close() { rows_.close(); }

private:
    RowAppender rows_;
    enum Column {
        kId, kLoggedAt, kRoleName, kSessionRole, kApplicationName, kClientAddr, kBackendPid, kXid, kCommandTag,
        kObjectType, kObjectIdentity, kStatement, kRules, kRisk, kDecision, kApprovalId, kMigrationId, kUndoSql, kRowsAffected, kRequestId, kColumns
    };
    int attnum_[kColumns];  // 0-based attribute index in the table, or -1
};

// The next id for a row of the guard's own tables (see row_id.cpp). PostgreSQL code only.
int64 next_row_id();

}  // namespace mg::server
