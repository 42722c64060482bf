// `migration-guard lint`: read each input, lint it, hand it to the reporter, decide the exit code.
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/inputs.hpp"

namespace mg::cli {

int run_lint(const LintArgs &args) {
    bool io_error = false;
    std::vector<InputError> input_errors;
    const std::vector<Input> inputs = collect_inputs(args.paths, input_errors);
    for (const auto &e : input_errors) {
        std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());
        io_error = true;
    }

    Summary summary;
    summary.fail_on = args.fail_on;
    const auto reporter = make_reporter(args.format);
    for (const auto &input : inputs) {
        std::string text;
        std::string error;
        if (!read_input(input, text, error)) {
            std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(), error.c_str());
            io_error = true;
            continue;
        }
        // One file at a time: its report is written, then its text released.
        const FileReport report = lint_file(input.path, std::move(text), args.options);
        summary.add(report);
        reporter->file(report);
    }
    reporter->finish(summary);
    std::fflush(stdout);

    if (io_error || summary.parse_errors > 0) return kExitError;
    return summary.failed() ? kExitFindings : kExitClean;
}

}  // namespace mg::cli
