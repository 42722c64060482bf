#include "server/guard_owner.hpp"

#include "server/extension_cache.hpp"

namespace mg::server {

Oid extension_owner() {
    const ExtensionPlace &place = extension_place();
    if (!place.installed)
        throw UserError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "migration_guard is not installed in this database",
                        "", "Run CREATE EXTENSION migration_guard;");
    return place.owner;
}

}  // namespace mg::server
