// migration-guard: the offline linter for PostgreSQL migration files.
// main() parses the command line and dispatches; the work lives in the commands.
#include <cstdio>
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
    "                            [--rls-schemas SCHEMA,...] PATH...\n"
    "       migration-guard rules\n"
    "       migration-guard --help | --version\n";

constexpr const char *kHelp =
    "\n"
    "Checks PostgreSQL migration files for risky schema changes before they reach a database.\n"
    "\n"
    "Commands:\n"
    "  lint PATH...      lint files, folders (every *.sql beneath, recursively) or - (stdin)\n"
    "  rules             list the rules with their default risk and category\n"
    "\n"
    "Options of lint:\n"
    "  --format FORMAT   text (default), json, sarif or github (workflow annotations)\n"
    "  --fail-on RISK    lowest risk that makes the exit code 1 (default high)\n"
    "  --rls-schemas L   comma-separated schemas whose new tables need row level security\n"
    "                    (default public; empty to disable)\n"
    "\n"
    "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,\n"
    "            2 usage, I/O or parse error.\n";

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

int lint_main(const std::vector<std::string> &argv) {
    LintArgs args;
    bool only_paths = false;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string &arg = argv[i];
        if (only_paths || arg == "-" || arg.empty() || arg[0] != '-') {
            args.paths.push_back(arg);
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
        // --opt VALUE and --opt=VALUE
        std::string name = arg;
        std::string value;
        bool has_value = false;
        if (const size_t eq = arg.find('='); eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            has_value = true;
        }
        if (name != "--format" && name != "--fail-on" && name != "--rls-schemas")
            return usage_error("unknown option '" + arg + "'");
        if (!has_value) {
            if (i + 1 >= argv.size()) return usage_error("option '" + name + "' needs a value");
            value = argv[++i];
        }
        if (name == "--format") {
            const auto format = parse_format(value);
            if (!format) return usage_error("unknown format '" + value + "'");
            args.format = *format;
        } else if (name == "--fail-on") {
            const auto risk = mg::parse_risk(value);
            if (!risk) return usage_error("unknown risk '" + value + "' for --fail-on");
            args.fail_on = *risk;
        } else {
            args.options.rls_schemas = split_list(value);
        }
    }
    if (args.paths.empty()) return usage_error("no PATH to lint");
    return run_lint(args);
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
    if (command == "rules") {
        if (args.size() > 1) return usage_error("rules takes no arguments");
        return run_rules();
    }
    return usage_error("unknown command '" + command + "'");
}
