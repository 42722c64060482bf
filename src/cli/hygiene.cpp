#include "cli/hygiene.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

#include "cli/inputs.hpp"
#include "cli/text_util.hpp"
#include "engine/rule_catalog.hpp"

namespace fs = std::filesystem;

namespace mg::cli {

namespace {


std::string strip_suffix(std::string name) {
    for (const char *suffix : {".up.sql", ".down.sql", ".sql.postgres", ".sql"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && lower(name.substr(name.size() - s.size())) == s)
            return name.substr(0, name.size() - s.size());
    }
    return name;
}

std::string version_text(const std::vector<unsigned long long> &v) {
    std::string out;
    for (auto n : v) out += (out.empty() ? "" : ".") + std::to_string(n);
    return out;
}

bool says_destructive(const std::string &name) {
    const std::string n = lower(name);
    for (const char *word : {"drop", "remove", "delete", "truncate", "destroy", "purge", "prune", "cleanup",
                             "clean_up", "destructive", "rm_", "del_"})
        if (n.find(word) != std::string::npos) return true;
    return false;
}

}  // namespace

MigrationName migration_name(const std::string &path, Layout layout) {
    MigrationName out;
    const fs::path p(path);
    const std::string file = p.filename().string();
    const std::string lf = lower(file);
    // One folder per migration: the folder is the name.
    const bool folder_named = lf == "up.sql" || lf == "down.sql" || lf == "migration.sql" ||
                              layout == Layout::Diesel || layout == Layout::Prisma;
    out.name = folder_named && p.has_parent_path() && lf.size() <= 13 ? p.parent_path().filename().string()
                                                                        : strip_suffix(file);
    std::string s = out.name;
    if (s.size() > 2 && (s[0] == 'R' || s[0] == 'r') && s.compare(1, 2, "__") == 0) {
        out.repeatable = true;
        out.has_description = s.size() > 3;
        return out;
    }
    size_t i = 0;
    if (s.size() > 1 && std::strchr("VvUu", s[0]) && std::isdigit(static_cast<unsigned char>(s[1]))) i = 1;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        size_t j = i;
        unsigned long long n = 0;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 19) n = n * 10 + (s[j++] - '0');
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        // A group followed by a letter is part of the description ("2fa_tokens").
        if (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) break;
        out.version.push_back(n);
        i = j;
        while (i < s.size() && (s[i] == '_' || s[i] == '-' || s[i] == '.')) ++i;
    }
    for (size_t k = i; k < s.size(); ++k)
        if (std::isalpha(static_cast<unsigned char>(s[k]))) out.has_description = true;
    return out;
}

HygieneChecker::HygieneChecker(const Hygiene &hygiene, const std::string &base, Layout layout)
    : hygiene_(hygiene), layout_(layout) {
    if (base.empty() || !hygiene.version_order) return;
    std::vector<InputError> errors;
    for (const auto &input : collect_inputs({base}, InputOptions{}, errors)) {
        const MigrationName m = migration_name(input.path, layout);
        if (m.version.empty()) continue;
        base_names_[m.name] = true;
        seen_.emplace(m.version, m.name);
        base_newest_ = std::max(base_newest_, m.version);
    }
}

void HygieneChecker::check(FileReport &report) {
    if (!hygiene_.any() || report.path.empty()) return;
    const Direction d = report.all_down() ? Direction::Down : Direction::Up;
    const MigrationName m = migration_name(report.path, report.layout);
    const bool versioned_layout = report.layout != Layout::Sqitch && report.layout != Layout::RailsStructure;
    std::vector<LocatedFinding> found;
    if (hygiene_.file_names && versioned_layout && !m.repeatable && (m.version.empty() || !m.has_description))
        found.push_back(file_finding(
            "migration-file-name",
            "Migration name '" + m.name + "' " +
                (m.version.empty() ? "does not start with a sortable version or timestamp"
                                   : "has a version but no description"),
            "Name it VERSION_description, e.g. 20261125140530_add_user_preferences.sql", d));
    if (hygiene_.version_order && !m.version.empty()) {
        auto it = seen_.find(m.version);
        if (it != seen_.end() && it->second != m.name) {
            found.push_back(file_finding("migration-version-order",
                                         "Version " + version_text(m.version) + " of '" + m.name +
                                             "' is taken by '" + it->second + "': tools apply one of them, or fail",
                                         "Give this migration a new version (the current timestamp)", d));
        } else if (!base_names_.count(m.name) && !base_newest_.empty() && m.version < base_newest_) {
            found.push_back(file_finding(
                "migration-version-order",
                "Version " + version_text(m.version) + " of '" + m.name + "' sorts before " +
                    version_text(base_newest_) + ", already present: databases that applied it skip or refuse this one",
                "Rename the migration to a version after the newest one present", d));
        }
        seen_.emplace(m.version, m.name);
    }
    if (hygiene_.destructive_names && d == Direction::Up && !says_destructive(m.name)) {
        for (const auto &lf : report.findings) {
            if (lf.suppressed || lf.direction != Direction::Up) continue;
            if (lf.finding.category != "data-loss" || lf.finding.risk < Risk::High) continue;
            found.push_back(file_finding("destructive-migration-name",
                                         "Migration '" + m.name + "' destroys data (" + lf.finding.rule +
                                             ") but its name does not say so",
                                         "Put drop/remove/delete in its name, so reviewers see it in the list", d));
            break;
        }
    }
    if (found.empty()) return;
    report.findings.insert(report.findings.begin(), found.begin(), found.end());
}

}  // namespace mg::cli
