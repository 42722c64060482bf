// The extension's own SQLSTATEs (class MG), documented in docs/enforcement.md.
#pragma once

#include "server/pg_prelude.hpp"

#define MG_ERRCODE_BLOCKED MAKE_SQLSTATE('M', 'G', '0', '0', '1')           // a schema change was blocked
#define MG_ERRCODE_GUARD_WEAKENING MAKE_SQLSTATE('M', 'G', '0', '0', '2')   // loosening the guard was refused
#define MG_ERRCODE_SETTING_LOCKED MAKE_SQLSTATE('M', 'G', '0', '0', '3')    // migration_guard.locked is on
#define MG_ERRCODE_NOT_APPROVER MAKE_SQLSTATE('M', 'G', '0', '0', '4')      // approve() by a role that may not
#define MG_ERRCODE_BAD_APPROVAL MAKE_SQLSTATE('M', 'G', '0', '0', '5')      // approve() with invalid arguments
