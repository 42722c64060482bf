// migration-guard: the linter for PostgreSQL migration files, offline (lint) or against a
// database with the extension (check).
// main() parses the command line and dispatches; the work lives in the commands.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/version.hpp"

namespace {

using namespace mg::cli;

constexpr const char *kUsage =
    "usage: migration-guard lint [--format text|json|sarif|github]\n"
    "                            [--fail-on low|medium|high|critical]\n"
    "                            [--rls-schemas SCHEMA,...] [--jobs N] PATH...\n"
    "       migration-guard check [--db CONNINFO] [--format text|json|sarif|github]\n"
    "                             [--fail-on low|medium|high|critical] PATH...\n"
    "       migration-guard verify [--db CONNINFO] [--schema SCHEMA,...] [--migration ID]\n"
    "                              [--format text|json|sarif|github] [--fail-on RISK]\n"
    "       migration-guard rules\n"
    "       migration-guard --help | --version\n";

constexpr const char *kHelp =
    "\n"
    "Checks PostgreSQL migration files for risky schema changes before they reach a database.\n"
    "\n"
    "Commands:\n"
    "  lint PATH...      lint files, folders (every *.sql beneath, recursively) or - (stdin)\n"
    "  check PATH...     lint against a database with the migration_guard extension: risks\n"
    "                    from its data, plus a dry run of each file that is always rolled back\n"
    "  verify            check a database's live schema (migration_guard.verify()): invalid\n"
    "                    indexes, unvalidated constraints, foreign keys without an index, ...\n"
    "  rules             list the rules with their default risk and category\n"
    "\n"
    "Options of lint and check:\n"
    "  --format FORMAT   text (default), json, sarif or github (workflow annotations)\n"
    "  --fail-on RISK    lowest risk that makes the exit code 1 (default high)\n"
    "Options of lint:\n"
    "  --rls-schemas L   comma-separated schemas whose new tables need row level security\n"
    "                    (default public; empty to disable)\n"
    "  --jobs N          lint N files at a time (default: one per core); reports keep\n"
    "                    the order of the inputs\n"
    "Options of check and verify:\n"
    "  --db CONNINFO     libpq connection string or postgresql:// URI (default\n"
    "                    $MIGRATION_GUARD_DB, else the PG* environment variables)\n"
    "Options of verify (also --format and --fail-on):\n"
    "  --schema L        comma-separated schemas to check (default every schema)\n"
    "  --migration ID    only what that migration changed (its audit rows)\n"
    "\n"
    "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it (check: or a\n"
    "            statement that fails in the dry run), 2 usage, I/O or parse error (check:\n"
    "            or a connection or server error).\n";

int usage_error(const std::string &message) {
    std::fprintf(stderr, "migration-guard: %s\n%s", message.c_str(), kUsage);
    return kExitError;
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view item = s.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        start = end + 1;
    }
    return items;
}

// Splits a command's arguments into PATHs and options (--opt VALUE or --opt=VALUE; every option
// takes a value and is one of `names`). `on_option(name, value)` returns an error message, or ""
// to go on. Returns an exit code when the command should not run.
template <typename OnOption>
std::optional<int> parse_arguments(const char *command, const std::vector<std::string> &argv,
                                   const std::vector<std::string_view> &names,
                                   std::vector<std::string> &paths, OnOption on_option) {
    bool only_paths = false;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string &arg = argv[i];
        if (only_paths || arg == "-" || arg.empty() || arg[0] != '-') {
            paths.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_paths = true;
            continue;
        }
        if (arg == "-h" || arg == "--help") {
            std::printf("%s%s", kUsage, kHelp);
            return kExitClean;
        }
        std::string name = arg;
        std::string value;
        bool has_value = false;
        if (const size_t eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            has_value = true;
        }
        if (std::find(names.begin(), names.end(), name) == names.end())
            return usage_error("unknown option '" + arg + "'");
        if (!has_value) {
            if (i + 1 >= argv.size()) return usage_error("option '" + name + "' needs a value");
            value = argv[++i];
        }
        const std::string error = on_option(name, value);
        if (!error.empty()) return usage_error(error);
    }
    if (paths.empty()) return usage_error(std::string("no PATH to ") + command);
    return std::nullopt;
}

// --format and --fail-on, common to lint and check. Returns an error message, or "".
template <typename Args>
std::string report_option(const std::string &name, const std::string &value, Args &args) {
    if (name == "--format") {
        const auto format = parse_format(value);
        if (!format) return "unknown format '" + value + "'";
        args.format = *format;
    } else {
        const auto risk = mg::parse_risk(value);
        if (!risk) return "unknown risk '" + value + "' for --fail-on";
        args.fail_on = *risk;
    }
    return "";
}

int lint_main(const std::vector<std::string> &argv) {
    LintArgs args;
    const auto exit = parse_arguments(
        "lint", argv, {"--format", "--fail-on", "--rls-schemas", "--jobs"}, args.paths,
        [&](const std::string &name, const std::string &value) {
            if (name == "--jobs") {
                char *end = nullptr;
                const long jobs = std::strtol(value.c_str(), &end, 10);
                if (value.empty() || *end || jobs < 1 || jobs > 1024)
                    return "--jobs needs a whole number from 1 to 1024, not '" + value + "'";
                args.jobs = static_cast<unsigned>(jobs);
                return std::string();
            }
            if (name != "--rls-schemas") return report_option(name, value, args);
            args.options.rls_schemas = split_list(value);
            return std::string();
        });
    return exit ? *exit : run_lint(args);
}

int check_main(const std::vector<std::string> &argv) {
    CheckArgs args;
    bool has_db = false;
    const auto exit = parse_arguments(
        "check", argv, {"--format", "--fail-on", "--db"}, args.paths,
        [&](const std::string &name, const std::string &value) {
            if (name != "--db") return report_option(name, value, args);
            args.conninfo = value;
            has_db = true;
            return std::string();
        });
    if (exit) return *exit;
    if (!has_db)
        if (const char *env = std::getenv("MIGRATION_GUARD_DB")) args.conninfo = env;
    return run_check(args);
}

int verify_main(const std::vector<std::string> &argv) {
    VerifyArgs args;
    bool has_db = false;
    std::vector<std::string> paths;
    // verify takes no PATH: parse_arguments insists on one, so a placeholder stands in.
    std::vector<std::string> with_placeholder = argv;
    with_placeholder.push_back("--");
    with_placeholder.push_back("database");
    const auto exit = parse_arguments(
        "verify", with_placeholder, {"--format", "--fail-on", "--db", "--schema", "--migration"}, paths,
        [&](const std::string &name, const std::string &value) {
            if (name == "--db") {
                args.conninfo = value;
                has_db = true;
            } else if (name == "--schema") {
                for (auto &s : split_list(value)) args.schemas.push_back(std::move(s));
            } else if (name == "--migration") {
                args.migration_id = value;
            } else {
                return report_option(name, value, args);
            }
            return std::string();
        });
    if (exit) return *exit;
    if (paths.size() > 1) return usage_error("verify takes no PATH (it checks the database of --db)");
    if (!has_db)
        if (const char *env = std::getenv("MIGRATION_GUARD_DB")) args.conninfo = env;
    return run_verify(args);
}

}  // namespace

int main(int argc, char **argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("no command");
    const std::string &command = args[0];
    if (command == "-h" || command == "--help" || command == "help") {
        std::printf("%s%s", kUsage, kHelp);
        return kExitClean;
    }
    if (command == "--version" || command == "-V") {
        std::printf("migration-guard %s\n", kVersion);
        return kExitClean;
    }
    if (command == "lint") return lint_main({args.begin() + 1, args.end()});
    if (command == "check") return check_main({args.begin() + 1, args.end()});
    if (command == "verify") return verify_main({args.begin() + 1, args.end()});
    if (command == "rules") {
        if (args.size() > 1) return usage_error("rules takes no arguments");
        return run_rules();
    }
    return usage_error("unknown command '" + command + "'");
}
