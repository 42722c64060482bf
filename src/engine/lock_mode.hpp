// Table-level lock modes, ordered by strength, named as in SQL's LOCK statement.
#pragma once

namespace mg {

enum class LockMode {
    None = 0,
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
};

inline const char *lock_mode_name(LockMode m) {
    switch (m) {
        case LockMode::None: return "";
        case LockMode::AccessShare: return "ACCESS SHARE";
        case LockMode::RowShare: return "ROW SHARE";
        case LockMode::RowExclusive: return "ROW EXCLUSIVE";
        case LockMode::ShareUpdateExclusive: return "SHARE UPDATE EXCLUSIVE";
        case LockMode::Share: return "SHARE";
        case LockMode::ShareRowExclusive: return "SHARE ROW EXCLUSIVE";
        case LockMode::Exclusive: return "EXCLUSIVE";
        case LockMode::AccessExclusive: return "ACCESS EXCLUSIVE";
    }
    return "";
}

inline LockMode stronger(LockMode a, LockMode b) { return a < b ? b : a; }

// Modes that block ordinary writes (and, for ACCESS EXCLUSIVE, reads) while held or awaited.
inline bool blocks_writes(LockMode m) { return m >= LockMode::Share; }

}  // namespace mg
