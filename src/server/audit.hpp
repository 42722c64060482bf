// The audit log: every schema change on record, blocked attempts too.
//   - Changes are written in the changing transaction (ddl_command_end, sql_drop, the utility
//     hook), so they exist exactly when the change does.
//   - A blocked attempt aborts its transaction, so its row is handed to a background worker
//     (through a pinned dynamic shared memory segment) that writes and commits it on its own.
//     See docs/audit.md for the reasoning and the limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/risk.hpp"

namespace mg::server {

struct AuditRow {
    std::string command_tag;
    std::string object_type;
    std::string object_identity;
    std::string statement;
    std::vector<std::string> rules;
    Risk risk = Risk::Low;
    std::string decision;  // allowed | warned | approved | blocked
    int64_t approval_id = 0;
};

// Written as the extension owner, in the current transaction.
void write_audit_rows(const std::vector<AuditRow> &rows);

// Survives the abort that follows: handed to a background worker.
void record_blocked(const std::vector<AuditRow> &rows);

// Shared-memory counters of blocked rows (when preloaded).
void request_audit_shmem();
void init_audit_shmem();
bool audit_counters(int64_t &queued, int64_t &written, int64_t &dropped);

}  // namespace mg::server
