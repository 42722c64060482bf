// Table-level lock modes, ordered by strength, named as in SQL's LOCK statement.
#pragma once

#include <string_view>

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

// The mode lock_mode_name gives this name; None for anything else.
inline LockMode parse_lock_mode(std::string_view name) {
    for (int m = static_cast<int>(LockMode::AccessShare); m <= static_cast<int>(LockMode::AccessExclusive); ++m)
        if (name == lock_mode_name(static_cast<LockMode>(m))) return static_cast<LockMode>(m);
    return LockMode::None;
}

inline LockMode stronger(LockMode a, LockMode b) { return a < b ? b : a; }

// Modes that block ordinary writes (and, for ACCESS EXCLUSIVE, reads) while held or awaited.
inline bool blocks_writes(LockMode m) { return m >= LockMode::Share; }

}  // namespace mg
