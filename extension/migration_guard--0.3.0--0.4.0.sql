-- migration_guard 0.3.0 -> 0.4.0 (docs/setup.md, "Upgrading the extension").
\echo Use "ALTER EXTENSION migration_guard UPDATE TO '0.4.0'" to load this file. \quit

-- Approval requests (docs/approvals.md): a blocked attempt is a request, keyed by what it needs
-- (database, the role that logged in, migration, rule:object pairs), so that repeated attempts of
-- one migration are one request. An approver grants it by id with approve_request().
ALTER TABLE migration_guard.audit_blocked ADD COLUMN request_id bigint;
CREATE INDEX audit_blocked_request_idx ON migration_guard.audit_blocked (request_id);
-- An approval bound to a role (for_role) applies to that role's matching statements without a
-- token: those issued by approve_request() have none at all.
ALTER TABLE migration_guard.approval ALTER COLUMN token_hash DROP NOT NULL;
ALTER TABLE migration_guard.approval ADD COLUMN request_id bigint;

-- A request is pending for a day after its last attempt; then the migration is run again.
CREATE VIEW migration_guard.requests AS
SELECT r.id, r.role, pg_catalog.current_database() AS database, r.migration_id,
       -- An attempt after the latest approval was not let through by it: pending again.
       CASE WHEN a.id IS NULL OR r.last_attempt > a.approved_at
                 THEN CASE WHEN r.last_attempt > pg_catalog.now() - interval '1 day' THEN 'pending' ELSE 'expired' END
            WHEN a.uses_left = 0 THEN 'used'
            WHEN a.valid_until > pg_catalog.clock_timestamp() THEN 'approved'
            ELSE 'approval expired' END AS status,
       r.pairs, r.risk, r.statement, r.command_tag, r.first_attempt, r.last_attempt, r.attempts,
       a.id AS approval_id, a.approved_by, a.reason
FROM (
    SELECT b.request_id AS id, b.session_role AS role, max(b.migration_id) AS migration_id,
           array_agg(DISTINCT b.rules[1] || ':' || b.object_identity) AS pairs, max(b.risk) AS risk,
           (array_agg(b.statement ORDER BY b.logged_at DESC))[1] AS statement,
           (array_agg(b.command_tag ORDER BY b.logged_at DESC))[1] AS command_tag,
           min(b.logged_at) AS first_attempt, max(b.logged_at) AS last_attempt,
           count(DISTINCT (b.backend_pid, b.logged_at)) AS attempts
    FROM migration_guard.audit_blocked b
    WHERE b.request_id IS NOT NULL
    GROUP BY b.request_id, b.session_role
) r
LEFT JOIN LATERAL (
    SELECT ap.id, ap.uses_left, ap.valid_until, ap.approved_by, ap.reason, ap.approved_at FROM migration_guard.approval ap
    WHERE ap.request_id = r.id ORDER BY ap.id DESC LIMIT 1
) a ON true
ORDER BY r.last_attempt DESC;
COMMENT ON VIEW migration_guard.requests IS
    'Blocked attempts as requests an approver grants by id with approve_request(id, reason), newest first';
REVOKE ALL ON migration_guard.requests FROM PUBLIC;
GRANT SELECT ON migration_guard.requests TO migration_guard_approver, migration_guard_auditor;

CREATE FUNCTION migration_guard.approve_request(request_id bigint, reason text, valid_for interval DEFAULT '1 hour')
RETURNS text
AS 'MODULE_PATHNAME', 'migration_guard_approve_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION migration_guard.approve_request(bigint, text, interval) IS
    'Grants a blocked attempt''s request: exactly what it needed, for the role that made it, once, no token needed';

-- Anyone may call the approving functions: they check the caller themselves, so that a role that
-- may not approve is told who can instead of a bare "permission denied".
GRANT EXECUTE ON FUNCTION migration_guard.approve(text[], text[], text, int, interval, name) TO PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.approve_migration(text, text, interval, name, text) TO PUBLIC;

-- Approvals say which request they grant.
CREATE OR REPLACE VIEW migration_guard.approvals AS
SELECT a.id, a.rules, a.objects, a.reason, a.approved_by, a.approved_at, a.valid_until,
       a.uses_total, a.uses_left, a.for_role,
       (a.uses_left > 0 AND a.valid_until > clock_timestamp()) AS active,
       coalesce(u.uses, '[]'::jsonb) AS used_by, a.pairs, a.migration_id, a.request_id
FROM migration_guard.approval a
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('used_at', au.used_at, 'role', au.used_by, 'command', au.command_tag,
                                        'statement', CASE WHEN au.used_by = current_user OR pg_catalog.pg_has_role('migration_guard_auditor', 'USAGE')
                                                          OR pg_catalog.pg_has_role('migration_guard_approver', 'USAGE')
                                                     THEN au.statement END, 'rules', au.rules, 'objects', au.objects)
                     ORDER BY au.used_at) AS uses
    FROM migration_guard.approval_use au WHERE au.approval_id = a.id
) u ON true
ORDER BY a.approved_at DESC, a.id DESC;

-- A blocked attempt shows the migration id a granted request's run recorded, once it ran.
CREATE OR REPLACE VIEW migration_guard.audit_log AS
SELECT a.id, a.logged_at, a.role_name, a.session_role, a.application_name, a.client_addr, a.backend_pid, a.xid,
       a.command_tag, a.object_type, a.object_identity, a.statement, a.rules, a.risk, a.decision, a.approval_id,
       coalesce(a.migration_id, t.migration_id, g.migration_id) AS migration_id, coalesce(t.tool, g.tool) AS tool,
       a.undo_sql, a.rows_affected, a.request_id
FROM (
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           undo_sql, rows_affected, NULL::bigint AS request_id
    FROM migration_guard.audit_change
    UNION ALL
    SELECT id, logged_at, role_name, session_role, application_name, client_addr, backend_pid, xid,
           command_tag, object_type, object_identity, statement, rules, risk, decision, approval_id, migration_id,
           NULL::text, rows_affected, request_id
    FROM migration_guard.audit_blocked
) a
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id FROM migration_guard.tool_migration tm
    WHERE tm.xid = a.xid ORDER BY tm.id LIMIT 1
) t ON true
LEFT JOIN LATERAL (
    SELECT tm.tool, tm.migration_id
    FROM migration_guard.approval ap
    JOIN migration_guard.approval_use au ON au.approval_id = ap.id
    JOIN migration_guard.tool_migration tm ON tm.xid = au.xid
    WHERE a.request_id IS NOT NULL AND ap.request_id = a.request_id
    ORDER BY au.used_at, tm.id LIMIT 1
) g ON true
ORDER BY a.logged_at DESC, a.id DESC;
