// `migration-guard check`: like lint, but the findings and a dry run come from a database.
// Each file is parsed offline first, so a syntax error is reported as lint reports it and the
// file never reaches the server; the connection is opened at the first file that parses.
#include <cstdio>

#include "cli/check.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"

namespace mg::cli {

int run_check(const CheckArgs &args) {
    bool error = false;
    std::vector<InputError> input_errors;
    const std::vector<Input> inputs = collect_inputs(args.paths, input_errors);
    for (const auto &e : input_errors) {
        std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());
        error = true;
    }

    Summary summary;
    summary.fail_on = args.fail_on;
    const auto reporter = make_reporter(args.format, true);
    std::unique_ptr<PgSession> db;
    for (const auto &input : inputs) {
        std::string text;
        std::string message;
        if (!read_input(input, text, message)) {
            std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(), message.c_str());
            error = true;
            continue;
        }
        FileReport report = lint_file(input.path, std::move(text), LintOptions{});
        if (!report.error) {
            if (!db && !(db = open_database(args.conninfo, message))) {
                std::fprintf(stderr, "migration-guard: %s\n", message.c_str());
                error = true;
                break;  // every other file would fail the same way
            }
            if (!check_file(*db, report, message)) {
                std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(),
                             message.c_str());
                error = true;
                if (!db->alive()) break;
                continue;
            }
        }
        summary.add(report);
        reporter->file(report);
    }
    reporter->finish(summary);
    std::fflush(stdout);

    if (error || summary.parse_errors > 0) return kExitError;
    return summary.failed() ? kExitFindings : kExitClean;
}

}  // namespace mg::cli
