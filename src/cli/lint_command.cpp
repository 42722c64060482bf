// `migration-guard lint`: read and lint the inputs (on --jobs threads), hand the reports to the
// reporter in input order, decide the exit code.
#include <cstdio>
#include <exception>
#include <optional>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "cli/ordered_pool.hpp"

namespace mg::cli {

namespace {

struct Linted {
    std::optional<FileReport> report;
    std::string error;  // why the input could not be read, when there is no report
};

}  // namespace

int run_lint(const LintArgs &args) {
    Summary summary;
    summary.fail_on = args.fail_on;
    const auto reporter = make_reporter(args.format);
    std::vector<InputError> errors;
    const std::vector<Input> inputs = collect_inputs(args.paths, errors);
    bool inputs_ok = errors.empty();
    for (const auto &e : errors) std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());

    ordered_pool<Linted>(
        inputs.size(), args.jobs ? args.jobs : default_jobs(),
        [&](size_t i) {
            Linted out;
            try {
                std::string text;
                if (read_input(inputs[i], text, out.error))
                    out.report = lint_file(inputs[i].path, std::move(text), args.options);
            } catch (const std::exception &e) {
                out.error = e.what();
            }
            return out;
        },
        [&](size_t i, Linted linted) {
            if (!linted.report) {
                std::fprintf(stderr, "migration-guard: %s: %s\n", inputs[i].path.c_str(), linted.error.c_str());
                inputs_ok = false;
                return;
            }
            // One file at a time: its report is written, then its text released.
            summary.add(*linted.report);
            reporter->file(*linted.report);
        });
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(!inputs_ok, summary);
}

}  // namespace mg::cli
