// `migration-guard check`: like lint, but the findings and a dry run come from a database.
// Each file is parsed offline first, so a syntax error is reported as lint reports it and the
// file never reaches the server; the connection is opened at the first file that parses.
#include <cstdio>

#include "cli/check.hpp"
#include "cli/commands.hpp"
#include "cli/hygiene.hpp"
#include "cli/inputs.hpp"
#include "offline/psql_script.hpp"

namespace mg::cli {

namespace {

std::string server_text(const FileReport &report, const LintOptions &options) {
    std::string out = options.psql ? prepare_psql_script(report.text, true).text : report.text;
    for (const Section &s : report.sections)
        if (s.direction != Direction::Up) blank_out(out, s.begin, s.end);
    return out;
}

}  // namespace

int run_check(const CheckArgs &args) {
    bool error = false;
    Summary summary;
    summary.fail_on = args.fail_on;
    summary.down = args.options.down;
    HygieneChecker hygiene(args.hygiene, args.base, args.options.layout);
    const auto reporter = make_reporter(args.format, true);
    std::unique_ptr<PgSession> db;
    const bool inputs_ok = for_each_input(args.paths, args.inputs, [&](const Input &input, std::string text) {
        FileReport report = lint_file(input.path, std::move(text), args.options);
        // A file with a statement that does not parse never reaches the server.
        if (report.errors.empty()) {
            std::string message;
            if (!db && !(db = open_database(args.conninfo, message))) {
                std::fprintf(stderr, "migration-guard: %s\n", message.c_str());
                error = true;
                return false;  // every other file would fail the same way
            }
            // The server judges and dry-runs what the tool will send: the up sections, without
            // psql's meta-commands; the down sections keep their offline findings.
            std::vector<LocatedFinding> down;
            for (auto &lf : report.findings)
                if (lf.direction != Direction::Up) down.push_back(lf);
            std::string text = server_text(report, args.options);
            std::swap(text, report.text);
            const bool checked = check_file(*db, report, message);
            report.text = std::move(text);
            report.findings.insert(report.findings.end(), down.begin(), down.end());
            if (!checked) {
                std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(), message.c_str());
                error = true;
                return db->alive();
            }
        }
        hygiene.check(report);
        apply_decisions(report, args.options);
        summary.add(report);
        reporter->file(report);
        return true;
    });
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(error || !inputs_ok, summary);
}

}  // namespace mg::cli
