// `migration-guard lint`: read and lint the inputs (on --jobs threads), hand the reports to the
// reporter in input order, decide the exit code. Without configured RLS schemas a first pass
// finds the schemas the files use RLS in (table-without-rls fires only there).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <optional>

#include "cli/changed_files.hpp"
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

// A changed file that existed at the ref: databases that ran it will not run it again.
void note_edited(FileReport &report, const Input &input, const std::map<std::string, Change> &changed,
                 const std::string &ref) {
    if (input.is_stdin) return;
    const auto it = changed.find(canonical_path(input.path));
    if (it == changed.end() || it->second != Change::Edited) return;
    report.findings.insert(report.findings.begin(),
                           file_finding("edited-migration",
                                        "This migration existed at " + ref + " and was edited: databases that already "
                                            "ran it never run the edit, so they and new ones end up with different schemas",
                                        "Leave applied migrations as they are; put the change in a new migration",
                                        Direction::Up));
}

// Loads the schema file, then (with --changed-since) the up sections of the inputs the change
// does not touch, in order, and keeps only the changed inputs to report.
bool load_context(const LintOptions &options, std::vector<Input> &inputs, SchemaCatalog &schema,
                  std::map<std::string, Change> &changed, std::string &error) {
    if (!options.schema_file.empty()) {
        std::string text;
        Input file;
        file.path = options.schema_file;
        if (!read_input(file, text, error)) {
            error = options.schema_file + ": " + error;
            return false;
        }
        ParseError parse;
        if (!schema.load(text, parse)) {
            const LineIndex lines(text);
            const LineCol at = parse.location >= 0 ? lines.at(parse.location) : LineCol{0, 0};
            error = options.schema_file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                    ": the schema does not parse: " + parse.message;
            return false;
        }
    }
    if (options.changed_since.empty()) return true;
    // The repository is the migrations' (the folder of the first file), not the current folder's.
    std::string dir;
    for (const auto &input : inputs)
        if (!input.is_stdin) {
            const size_t slash = input.path.rfind('/');
            dir = slash == std::string::npos ? "." : input.path.substr(0, slash + 1);
            break;
        }
    if (!changed_files(options.changed_since, dir, changed, error)) return false;
    std::vector<Input> reported;
    for (auto &input : inputs) {
        const auto it = input.is_stdin ? changed.end() : changed.find(canonical_path(input.path));
        const bool report = input.is_stdin || it != changed.end();
        // An added file is new to every database; an unchanged or edited one has run: what it
        // created exists. Its down section is not the schema.
        const bool applied = !input.is_stdin && (it == changed.end() || it->second == Change::Edited);
        if (report) reported.push_back(input);
        if (!applied) continue;
        std::string text, ignored;
        if (!read_input(input, text, ignored)) continue;
        const FileLayout layout = layout_of(input.path, text, options.layout);
        for (const Section &section : layout.sections) {
            if (section.direction != Direction::Up) continue;
            ParseError parse;
            schema.load(section_text(text, section), parse);  // a file that does not parse adds nothing
        }
    }
    inputs = std::move(reported);
    return true;
}

}  // namespace

int run_lint(const LintArgs &args) {
    Summary summary;
    summary.fail_on = args.fail_on;
    summary.down = args.options.down;
    const auto reporter = make_reporter(args.format);
    std::vector<InputError> errors;
    InputOptions input_options = args.inputs;
    input_options.other_engine_files = &summary.other_engine_files;
    std::vector<Input> inputs = collect_inputs(args.paths, input_options, errors);
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

    // What exists before these migrations: a schema file, and with --changed-since the
    // migrations the change does not touch (read as schema, not reported).
    std::map<std::string, Change> changed;
    if (!options.schema_file.empty() || !options.changed_since.empty()) {
        auto schema = std::make_shared<SchemaCatalog>();
        std::string error;
        if (!load_context(options, inputs, *schema, changed, error)) {
            std::fprintf(stderr, "migration-guard: %s\n", error.c_str());
            return kExitError;
        }
        schema->rls_used = options.rls_used;
        schema->lock_timeout = options.assume_lock_timeout;
        options.schema = std::move(schema);
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
            if (!options.changed_since.empty()) note_edited(*linted.report, inputs[i], changed, options.changed_since);
            hygiene.check(*linted.report);
            apply_decisions(*linted.report, options);
            summary.fold_run_advice(*linted.report);
            summary.add(*linted.report);
            reporter->file(*linted.report);
        });
    reporter->finish(summary);
    std::fflush(stdout);
    return exit_code(!inputs_ok, summary);
}

}  // namespace mg::cli
