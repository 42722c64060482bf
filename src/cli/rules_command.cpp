// `migration-guard rules`: the rule catalog as an aligned table.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "engine/rule_catalog.hpp"

namespace mg::cli {

int run_rules() {
    const auto &rules = all_rules();
    int id_width = 4;
    int category_width = 8;
    for (const auto &r : rules) {
        id_width = std::max(id_width, static_cast<int>(std::strlen(r.id)));
        category_width = std::max(category_width, static_cast<int>(std::strlen(r.category)));
    }
    std::printf("%-*s  %-8s  %-*s  %s\n", id_width, "RULE", "RISK", category_width, "CATEGORY",
                "SUMMARY");
    for (const auto &r : rules)
        std::printf("%-*s  %-8s  %-*s  %s\n", id_width, r.id, risk_name(r.default_risk),
                    category_width, r.category, r.summary);
    return kExitClean;
}

}  // namespace mg::cli
