#include <algorithm>
#include <cstring>

#include "engine/catalog.hpp"

namespace mg {

namespace {
// Extension functions often called in a DEFAULT (uuid-ossp, pgcrypto), in whatever schema the
// extension was installed (public, extensions).
const char *const kExtensionVolatile[] = {
    "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuid_generate_v7", "gen_random_bytes",
    "gen_random_uuid",
};

struct Builtin {
    const char *name;
    char volatility;  // 'i', 's', 'v'
};
// PostgreSQL's own functions (scripts/gen-builtin-functions.sh), sorted by name.
constexpr Builtin kBuiltins[] = {
#include "engine/builtin_functions.inc"
};

Volatility of(char v) {
    return v == 'v' ? Volatility::Volatile : v == 's' ? Volatility::Stable : Volatility::Immutable;
}
}  // namespace

Volatility StaticCatalog::function_volatility(const std::vector<std::string> &name, int) const {
    if (name.empty()) return Volatility::Unknown;
    const std::string &fn = name.back();
    for (const char *e : kExtensionVolatile)
        if (fn == e) return Volatility::Volatile;
    // A built-in name in another schema is somebody's own function.
    if (name.size() > 1 && name.front() != "pg_catalog") return Volatility::Unknown;
    const auto it = std::lower_bound(std::begin(kBuiltins), std::end(kBuiltins), fn,
                                     [](const Builtin &b, const std::string &n) { return std::strcmp(b.name, n.c_str()) < 0; });
    if (it != std::end(kBuiltins) && fn == it->name) return of(it->volatility);
    return Volatility::Unknown;
}

}  // namespace mg
