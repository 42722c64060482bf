// The CLI's version, shown by --version and in SARIF output: the project's (CMakeLists.txt).
#pragma once

#include <cstdlib>
#include <string>

namespace mg::cli {
inline constexpr const char *kVersion = MG_VERSION;

// Where each rule's page is (docs/rules/<id>.md of this version), for links in reports (SARIF
// helpUri). MIGRATION_GUARD_RULE_DOCS points them at another copy (a mirror, an internal wiki):
// the rule id and ".md" are appended to it.
inline std::string rule_docs_url(const std::string &rule) {
    const char *base = std::getenv("MIGRATION_GUARD_RULE_DOCS");
    const std::string prefix = base && *base ? std::string(base)
                                             : std::string("https://github.com/migration-guard/migration-guard/blob/v") +
                                                   kVersion + "/docs/rules/";
    return prefix + (prefix.empty() || prefix.back() == '/' ? "" : "/") + rule + ".md";
}
}
