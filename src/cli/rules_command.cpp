// `migration-guard rules`: the rule catalog as an aligned table.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "cli/json_writer.hpp"
#include "engine/rule_catalog.hpp"

namespace mg::cli {

int run_rules(bool json) {
    const auto &rules = all_rules();
    if (json) {
        std::string out;
        JsonWriter w(out);
        w.begin_array();
        for (const auto &r : rules) {
            w.begin_object();
            w.member("rule", r.id);
            w.member("risk", risk_name(r.default_risk));
            w.member("category", r.category);
            w.member("summary", r.summary);
            w.member("additive", !r.changes_existing);
            w.member("server_only", r.server_only);
            w.member("linter_only", r.linter_only);
            w.member("opt_in", r.opt_in);
            w.end_object();
        }
        w.end_array();
        out += '\n';
        std::fwrite(out.data(), 1, out.size(), stdout);
        return kExitClean;
    }
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
