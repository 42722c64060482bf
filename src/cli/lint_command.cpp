// `migration-guard lint`: read and lint the inputs (on --jobs threads), hand the reports to the
// reporter in input order, decide the exit code. Without configured RLS schemas a first pass
// finds the schemas the files use RLS in (table-without-rls fires only there).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>

#include "cli/commands.hpp"
#include "cli/hygiene.hpp"
#include "cli/inputs.hpp"
#include "cli/ordered_pool.hpp"
#include "offline/rls_usage.hpp"

namespace mg::cli {

namespace {

struct Linted {
    std::optional<FileReport> report;
    std::string error;  // why the input could not be read, when there is no report
};

// Standard input can be read once: the first pass keeps its text for the second.
bool read_once(const Input &input, std::optional<std::string> &stdin_text, std::string &text, std::string &error) {
    if (!input.is_stdin) return read_input(input, text, error);
    if (!stdin_text) {
        std::string t;
        if (!read_input(input, t, error)) return false;
        stdin_text = std::move(t);
    }
    text = *stdin_text;
    return true;
}

}  // namespace

int run_lint(const LintArgs &args) {
    Summary summary;
    summary.fail_on = args.fail_on;
    summary.down = args.options.down;
    const auto reporter = make_reporter(args.format);
    std::vector<InputError> errors;
    const std::vector<Input> inputs = collect_inputs(args.paths, args.inputs, errors);
    bool inputs_ok = errors.empty();
    for (const auto &e : errors) std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());
    const unsigned jobs = args.jobs ? args.jobs : default_jobs();
    std::optional<std::string> stdin_text;

    LintOptions options = args.options;
    if (!options.rls_schemas) {
        // Files that cannot be read are reported by the second pass.
        ordered_pool<std::vector<std::string>>(
            inputs.size(), inputs.size() < 2 || inputs[0].is_stdin ? 1 : jobs,
            [&](size_t i) {
                std::string text, error;
                try {
                    if (read_once(inputs[i], stdin_text, text, error)) return mg::schemas_using_rls(text);
                } catch (const std::exception &) {
                }
                return std::vector<std::string>();
            },
            [&](size_t, std::vector<std::string> schemas) {
                for (auto &s : schemas)
                    if (std::find(options.rls_used.begin(), options.rls_used.end(), s) == options.rls_used.end())
                        options.rls_used.push_back(std::move(s));
            });
    }

    HygieneChecker hygiene(args.hygiene, args.base, options.layout);
    ordered_pool<Linted>(
        inputs.size(), stdin_text ? 1 : jobs,
        [&](size_t i) {
            Linted out;
            try {
                std::string text;
                if (read_once(inputs[i], stdin_text, text, out.error))
                    out.report = lint_file(inputs[i].path, std::move(text), options);
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
            hygiene.check(*linted.report);
            apply_decisions(*linted.report, options);
            summary.add(*linted.report);
            reporter->file(*linted.report);
        });
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(!inputs_ok, summary);
}

}  // namespace mg::cli
