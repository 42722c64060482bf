// migration-guard: the linter for PostgreSQL migration files, offline (lint) or against a
// database with the extension (check), and the checks of a live schema (verify).
// main() parses the command line (CLI11), merges it over migration-guard.toml and dispatches;
// the work lives in the commands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/shell_docs.hpp"
#include "cli/version.hpp"
#include "offline/raw_parser.hpp"

namespace {

using namespace mg::cli;

constexpr const char *kUsage =
    "usage: migration-guard lint [--format text|json|sarif|github|markdown] [--fail-on RISK]\n"
    "                            [--config FILE | --no-config] [--layout LAYOUT] [--rls-schemas L]\n"
    "                            [--stdin-filename NAME] [--strict] [--base DIR] [--pg-version N]\n"
    "                            [--schema FILE] [--changed-since REF] [--assume-lock-timeout]\n"
    "                            [--jobs N] PATH...\n"
    "       migration-guard check [--db CONNINFO] [same options as lint, but --jobs] PATH...\n"
    "       migration-guard verify [--db CONNINFO] [--schema SCHEMA,...] [--migration ID]\n"
    "                              [--format FORMAT] [--fail-on RISK]\n"
    "       migration-guard rules [--format text|json]\n"
    "       migration-guard rollback FILE\n"
    "       migration-guard --help | --version\n";

constexpr const char *kHelp =
    "\n"
    "Checks PostgreSQL migration files for risky schema changes before they reach a database.\n"
    "\n"
    "Commands:\n"
    "  lint PATH...      lint files, folders (every *.sql and *.sql.postgres beneath, or the\n"
    "                    configured include globs) or - (stdin)\n"
    "  check PATH...     lint against a database with the migration_guard extension: risks\n"
    "                    from its data, plus a dry run of each file that is always rolled back\n"
    "  verify            check a database's live schema (migration_guard.verify()): invalid\n"
    "                    indexes, unvalidated constraints, foreign keys without an index, ...\n"
    "  rules             list the rules with their default risk and category\n"
    "  rollback FILE     the SQL that undoes a migration file, newest statement first, where the\n"
    "                    text tells it, and the statements that need the recycle bin or a backup\n"
    "                    (exit 1 when there are such statements)\n"
    "\n"
    "Options of lint and check:\n"
    "  --format FORMAT   text (default), json, sarif, github (workflow annotations and step\n"
    "                    summary) or markdown (a pull-request comment)\n"
    "  --fail-on RISK    lowest risk that makes the exit code 1 (default high, or fail_on)\n"
    "  --config FILE     the configuration (default: migration-guard.toml in the first PATH's\n"
    "                    folder or the nearest one above it); --no-config: none\n"
    "  --layout LAYOUT   auto (default), plain, sqitch, goose, dbmate, golang-migrate, diesel,\n"
    "                    node-pg-migrate, sql-migrate, flyway, prisma, rails-structure: tells\n"
    "                    up from down migrations (down ones are reported, not counted)\n"
    "  --down-migrations report|fail|skip   how down migrations count (default report)\n"
    "  --rls-schemas L   comma-separated schemas whose new tables need row level security\n"
    "                    (default: the schemas the linted files use RLS in; empty: none)\n"
    "  --no-psql         the files are plain SQL: do not skip psql meta-commands and COPY data\n"
    "  --stdin-filename NAME   the name of - in reports (and for the layout)\n"
    "  --exclude GLOB    leave out matching files of a folder (repeatable)\n"
    "  --other-languages-ok    a folder holding only .py/.js/.rb migrations is not an error\n"
    "  --assume-lock-timeout   the role or tool that migrates sets lock_timeout (ALTER ROLE\n"
    "                    ... SET lock_timeout): require-lock-timeout is not reported\n"
    "  --strict          the hygiene rules too: file names, version order, destructive names\n"
    "  --base DIR        the migrations already present (for migration-version-order)\n"
    "  --schema FILE     what exists before these migrations (pg_dump --schema-only, structure.sql)\n"
    "  --changed-since REF  report only files added or edited since REF; the others are read as schema\n"
    "  --pg-version N    the PostgreSQL major the migrations will run on, 10 to 18 (default\n"
    "                    18, or postgres_version): remedies and rewrites as that major has them\n"
    "Options of lint:\n"
    "  --jobs N          lint N files at a time (default: one per core); reports keep\n"
    "                    the order of the inputs\n"
    "Options of check and verify:\n"
    "  --db CONNINFO     libpq connection string or postgresql:// URI (default\n"
    "                    $MIGRATION_GUARD_DB, else the PG* environment variables)\n"
    "Options of verify (also --format and --fail-on):\n"
    "  --schema L        comma-separated schemas to check (default every schema)\n"
    "  --migration ID    only what that migration changed (its audit rows)\n"
    "\n"
    "Suppress an accepted finding in the file, with the reason:\n"
    "  -- migration-guard-ignore RULE[,RULE...]: REASON        (the next statement)\n"
    "  -- migration-guard-ignore-file RULE[,RULE...]: REASON   (the whole file)\n"
    "\n"
    "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it (check: or a\n"
    "            statement that fails in the dry run), 2 usage, I/O, configuration or parse\n"
    "            error (check: or a connection or server error).\n";

int usage_error(const std::string &message) {
    std::fprintf(stderr, "migration-guard: %s\n%s", message.c_str(), kUsage);
    return kExitError;
}

std::vector<std::string> split_list(const std::string &s) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        std::string item = s.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.erase(0, 1);
        while (!item.empty() && item.back() == ' ') item.pop_back();
        if (!item.empty()) items.push_back(item);
        start = end + 1;
    }
    return items;
}

// The options lint and check share, as given on the command line.
struct FileFlags {
    std::optional<std::string> format, fail_on, config, layout, rls_schemas, stdin_name, down, base, schema_file,
        changed_since;
    std::optional<int> pg_version;
    std::vector<std::string> exclude;
    bool no_config = false, strict = false, no_psql = false, other_languages_ok = false, assume_lock_timeout = false;

    void add_to(CLI::App &cmd) {
        cmd.add_option("--format", format);
        cmd.add_option("--fail-on", fail_on);
        cmd.add_option("--config", config);
        cmd.add_flag("--no-config", no_config);
        cmd.add_option("--layout", layout);
        cmd.add_option("--rls-schemas", rls_schemas);
        cmd.add_option("--stdin-filename", stdin_name);
        cmd.add_option("--down-migrations", down);
        cmd.add_option("--base", base);
        cmd.add_option("--schema", schema_file);
        cmd.add_option("--changed-since", changed_since);
        cmd.add_option("--pg-version", pg_version);
        cmd.add_option("--exclude", exclude);
        cmd.add_flag("--strict", strict);
        cmd.add_flag("--no-psql", no_psql);
        cmd.add_flag("--other-languages-ok", other_languages_ok);
        cmd.add_flag("--assume-lock-timeout", assume_lock_timeout);
    }

    // Merges the configuration file and these flags into `args`; returns an error message.
    std::string resolve(FileArgs &args) const {
        if (format) {
            const auto f = parse_format(*format);
            if (!f) return "unknown format '" + *format + "'";
            args.format = *f;
        }
        Config config;
        std::string file = config_path(args.paths);
        if (!file.empty()) {
            std::string error;
            if (!load_config(file, config, error)) return "configuration: " + error;
        }
        if (fail_on) {
            const auto risk = mg::parse_risk(*fail_on);
            if (!risk) return "unknown risk '" + *fail_on + "' for --fail-on";
            args.fail_on = *risk;
        } else if (config.fail_on) {
            args.fail_on = *config.fail_on;
        }
        LintOptions &o = args.options;
        o.layout = config.layout.value_or(Layout::Auto);
        if (layout) {
            const auto l = parse_layout(*layout);
            if (!l) return "unknown layout '" + *layout + "' (" + layout_names() + ")";
            o.layout = *l;
        }
        if (rls_schemas) o.rls_schemas = split_list(*rls_schemas);
        else o.rls_schemas = config.rls_schemas;
        o.psql = no_psql ? false : config.psql.value_or(true);
        o.down = config.down;
        if (down) {
            if (*down == "report") o.down = DownPolicy::Report;
            else if (*down == "fail") o.down = DownPolicy::Fail;
            else if (*down == "skip") o.down = DownPolicy::Skip;
            else return "--down-migrations takes report, fail or skip, not '" + *down + "'";
        }
        o.postgres_version = config.postgres_version.value_or(kNewestPostgresMajor);
        if (pg_version) {
            if (*pg_version < kOldestPostgresMajor || *pg_version > kNewestPostgresMajor)
                return "--pg-version takes a major version from " + std::to_string(kOldestPostgresMajor) + " to " +
                       std::to_string(kNewestPostgresMajor) + ", not " + std::to_string(*pg_version);
            o.postgres_version = *pg_version;
        }
        o.rules = config.rules;
        args.inputs.include = config.include;
        args.inputs.exclude = config.exclude;
        args.inputs.exclude.insert(args.inputs.exclude.end(), exclude.begin(), exclude.end());
        args.inputs.other_languages_ok = other_languages_ok || config.other_languages_ok;
        o.assume_lock_timeout = assume_lock_timeout || config.assume_lock_timeout;
        if (stdin_name) args.inputs.stdin_name = *stdin_name;
        args.hygiene = config.hygiene;
        if (strict) args.hygiene = Hygiene{true, true, true};
        if (base) args.base = *base;
        if (schema_file) o.schema_file = *schema_file;
        else if (config.schema) o.schema_file = relative_to(config.path, *config.schema);
        if (changed_since) o.changed_since = *changed_since;  // "" lints everything
        // In a pull request's GitHub job, what the pull request changes.
        else if (const char *pr_base = std::getenv("GITHUB_BASE_REF");
                 args.format == Format::Github && pr_base && *pr_base && !args.paths.empty())
            o.changed_since = std::string("origin/") + pr_base;
        return "";
    }

private:
    // A path in the configuration file is relative to that file's folder.
    static std::string relative_to(const std::string &config_file, const std::string &path) {
        if (path.empty() || path.front() == '/') return path;
        const size_t slash = config_file.rfind('/');
        return slash == std::string::npos ? path : config_file.substr(0, slash + 1) + path;
    }

    std::string config_path(const std::vector<std::string> &paths) const {
        if (no_config) return "";
        if (config) return *config;
        return find_config(paths);
    }
};

// Every option of every command, bound to where its value goes; the parser and the generated
// shell completions read the same declarations.
struct Bound {
    bool help = false;
    FileFlags flags;
    std::optional<std::string> jobs, db, schema, migration, vformat, vfail_on;
    std::vector<std::string> paths;
};

constexpr const char *kCommands[] = {"lint", "check", "verify", "rules", "rollback"};

void declare_options(CLI::App &app, const std::string &command, Bound &b) {
    app.set_help_flag();
    app.allow_extras(false);
    app.add_flag("-h,--help", b.help);
    if (command == "lint" || command == "check") {
        b.flags.add_to(app);
        app.add_option("PATH", b.paths);
        if (command == "lint") app.add_option("--jobs", b.jobs);
        else app.add_option("--db", b.db);
    } else if (command == "verify") {
        app.add_option("--db", b.db);
        app.add_option("--schema", b.schema);
        app.add_option("--migration", b.migration);
        app.add_option("--format", b.vformat);
        app.add_option("--fail-on", b.vfail_on);
        app.add_option("PATH", b.paths);
    } else {
        app.add_option("--format", b.vformat);
        app.add_option("ARG", b.paths);
    }
}

// The options of each command, from the declarations above (for completions).
std::vector<std::pair<std::string, std::vector<std::string>>> command_options() {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const char *command : kCommands) {
        CLI::App app{"migration-guard"};
        Bound b;
        declare_options(app, command, b);
        std::vector<std::string> names;
        for (const CLI::Option *o : app.get_options())
            for (const auto &name : o->get_lnames()) names.push_back("--" + name);
        out.emplace_back(command, names);
    }
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) return usage_error("no command");
    const std::string command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") {
        std::printf("%s%s", kUsage, kHelp);
        return kExitClean;
    }
    if (command == "--version" || command == "-V") {
        std::printf("migration-guard %s (parses PostgreSQL %d's grammar)\n", kVersion, mg::parser_major());
        return kExitClean;
    }
    if (command == "completion" || command == "man") {
        // Generated from the option declarations and the help text, for packages and `make dist`.
        if (command == "man") return print_man_page(kUsage, kHelp, kVersion);
        const std::string shell = argc > 2 ? argv[2] : "";
        return print_completion(shell, command_options());
    }
    if (command != "lint" && command != "check" && command != "verify" && command != "rules" && command != "rollback")
        return usage_error("unknown command '" + command + "'");

    CLI::App app{"migration-guard", "migration-guard " + command};
    Bound b;
    declare_options(app, command, b);
    LintArgs lint;
    CheckArgs check;
    VerifyArgs verify;
    try {
        app.parse(argc - 1, argv + 1);
    } catch (const CLI::ParseError &e) {
        std::string what = e.what();
        if (what.rfind("The following arguments were not expected: ", 0) == 0)
            what = "unknown option '" + what.substr(43) + "'";
        return usage_error(what);
    }
    if (b.help) {
        std::printf("%s%s", kUsage, kHelp);
        return kExitClean;
    }

    if (command == "rollback") {
        if (b.paths.size() != 1) return usage_error("rollback takes one FILE (or - for stdin)");
        return run_rollback(b.paths.front());
    }
    if (command == "rules") {
        if (!b.paths.empty()) return usage_error("rules takes no arguments");
        if (b.vformat && *b.vformat != "text" && *b.vformat != "json") return usage_error("rules --format is text or json");
        return run_rules(b.vformat && *b.vformat == "json");
    }
    if (command == "verify") {
        if (!b.paths.empty()) return usage_error("verify takes no PATH (it checks the database of --db)");
        if (b.vformat) {
            const auto f = parse_format(*b.vformat);
            if (!f) return usage_error("unknown format '" + *b.vformat + "'");
            verify.format = *f;
        }
        if (b.vfail_on) {
            const auto r = mg::parse_risk(*b.vfail_on);
            if (!r) return usage_error("unknown risk '" + *b.vfail_on + "' for --fail-on");
            verify.fail_on = *r;
        }
        if (b.schema) verify.schemas = split_list(*b.schema);
        if (b.migration) verify.migration_id = *b.migration;
        if (b.db) verify.conninfo = *b.db;
        else if (const char *env = std::getenv("MIGRATION_GUARD_DB")) verify.conninfo = env;
        return run_verify(verify);
    }

    if (b.paths.empty()) return usage_error("no PATH to " + command);
    FileArgs &args = command == "lint" ? static_cast<FileArgs &>(lint) : static_cast<FileArgs &>(check);
    args.paths = b.paths;
    if (const std::string error = b.flags.resolve(args); !error.empty()) {
        if (error.rfind("configuration: ", 0) == 0) {
            std::fprintf(stderr, "migration-guard: %s\n", error.c_str());
            return kExitError;
        }
        return usage_error(error);
    }
    if (command == "lint") {
        if (b.jobs) {
            char *end = nullptr;
            const long n = std::strtol(b.jobs->c_str(), &end, 10);
            if (b.jobs->empty() || *end || n < 1 || n > 1024)
                return usage_error("--jobs needs a whole number from 1 to 1024, not '" + *b.jobs + "'");
            lint.jobs = static_cast<unsigned>(n);
        }
        return run_lint(lint);
    }
    if (b.db) check.conninfo = *b.db;
    else if (const char *env = std::getenv("MIGRATION_GUARD_DB")) check.conninfo = env;
    return run_check(check);
}
