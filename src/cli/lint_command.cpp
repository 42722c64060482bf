// `migration-guard lint`: read each input, lint it, hand it to the reporter, decide the exit code.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"

namespace mg::cli {

int run_lint(const LintArgs &args) {
    Summary summary;
    summary.fail_on = args.fail_on;
    const auto reporter = make_reporter(args.format);
    const bool inputs_ok = for_each_input(args.paths, [&](const Input &input, std::string text) {
        // One file at a time: its report is written, then its text released.
        const FileReport report = lint_file(input.path, std::move(text), args.options);
        summary.add(report);
        reporter->file(report);
        return true;
    });
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(!inputs_ok, summary);
}

}  // namespace mg::cli
