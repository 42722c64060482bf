#include "cli/lint.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <utility>

#include "cli/suppressions.hpp"
#include "engine/rule_catalog.hpp"
#include "offline/placeholders.hpp"
#include "offline/psql_script.hpp"
#include "offline/script_analysis.hpp"

namespace mg::cli {

namespace {

// LineIndex::at is O(1) on ASCII lines but counts code points from the line start on others.
// Findings arrive in text order, so continuing from the previous position while on the same line
// keeps even a minified one-line migration with non-ASCII text linear.
class PositionCursor {
public:
    PositionCursor(const std::string &text, const LineIndex &lines) : text_(text), lines_(lines) {}

    LineCol at(int offset) {
        if (last_offset_ >= 0 && offset >= last_offset_) {
            LineCol pos = last_;
            int i = last_offset_;
            for (; i < offset; ++i) {
                const unsigned char c = static_cast<unsigned char>(text_[i]);
                if (c == '\n') break;
                if ((c & 0xC0) != 0x80) ++pos.column;
            }
            if (i == offset) return remember(offset, pos);
        }
        return remember(offset, lines_.at(offset));
    }

private:
    LineCol remember(int offset, LineCol pos) {
        last_offset_ = offset;
        last_ = pos;
        return pos;
    }

    const std::string &text_;
    const LineIndex &lines_;
    int last_offset_ = -1;
    LineCol last_{};
};

// "syntax error at end of input" points past the text; show it after the last token instead
// of on an empty line below the file.
int error_offset(const std::string &text, int location) {
    if (location < 0) return -1;
    int n = static_cast<int>(text.size());
    if (location < n) return location;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' ||
                     text[n - 1] == '\t'))
        --n;
    return n;
}


Direction direction_at(const std::vector<Section> &sections, int offset) {
    for (const auto &s : sections)
        if (offset >= s.begin && offset < s.end) return s.direction;
    return sections.empty() ? Direction::Up : sections.back().direction;
}

LocatedFinding make_finding(const std::string &rule, int offset, LineCol pos, std::string object,
                            std::string message, std::string hint, Direction direction) {
    LocatedFinding lf;
    Finding &f = lf.finding;
    f.rule = rule;
    const RuleInfo *info = find_rule(rule);
    f.risk = info ? info->default_risk : Risk::Low;
    f.category = info ? info->category : "practice";
    f.location = offset;
    f.object = std::move(object);
    f.message = std::move(message);
    f.hint = std::move(hint);
    lf.offset = offset;
    lf.position = pos;
    lf.direction = direction;
    return lf;
}

// Words of syntax PostgreSQL 18 added, near a syntax error (ADD CONSTRAINT c NOT NULL col,
// VIRTUAL generated columns, NOT ENFORCED, WITHOUT OVERLAPS, PERIOD).
bool looks_newer(const std::string &text, int offset) {
    if (offset < 0) return false;
    const size_t from = static_cast<size_t>(std::max(0, offset - 200));
    std::string near = text.substr(from, static_cast<size_t>(offset) - from + 40);
    for (char &c : near) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string at = text.substr(static_cast<size_t>(offset), 3);
    for (const char *w : {"VIRTUAL", "ENFORCED", "WITHOUT OVERLAPS", "PERIOD"})
        if (near.find(w) != std::string::npos) return true;
    return (at == "NOT" || at == "not") && near.find("CONSTRAINT") != std::string::npos;
}

bool lists(const std::vector<std::string> &rules, const std::string &rule) {
    return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

bool about_suppressions(const std::string &rule) {
    return rule == "invalid-suppression" || rule == "unused-suppression";
}

}  // namespace

// The text of one section: what precedes it blanked, so offsets stay those of the file, and
// what follows it cut off.
std::string section_text(const std::string &text, const Section &s) {
    if (s.begin == 0 && s.end == static_cast<int>(text.size())) return text;
    std::string out = text.substr(0, s.end);
    blank_out(out, 0, s.begin);
    return out;
}

bool FileReport::all_down() const {
    if (sections.empty()) return false;
    for (const Section &s : sections)
        if (s.direction == Direction::Up) return false;
    return true;
}

bool FileReport::has_down() const {
    for (const Section &s : sections)
        if (s.direction == Direction::Down) return true;
    return false;
}

FileReport lint_file(std::string path, std::string text, const LintOptions &options) {
    FileReport report;
    report.path = std::move(path);
    report.text = std::move(text);
    const std::string &src = report.text;

    FileLayout layout = layout_of(report.path, src, options.layout);
    report.layout = layout.layout;
    std::vector<Placeholder> placeholders;
    const std::string filled_copy = has_placeholders(src) ? fill_placeholders(src, placeholders) : std::string();
    const std::string &filled = placeholders.empty() ? src : filled_copy;
    Options engine_options;
    engine_options.rls_schemas = options.rls_schemas ? *options.rls_schemas : options.rls_used;
    engine_options.server_version = options.postgres_version * 10000;
    engine_options.function_bodies = true;
    engine_options.whole_text = true;
    // [rules] names an opt-in rule with a risk: it is on.
    for (const auto &[rule, setting] : options.rules)
        if (const RuleInfo *info = find_rule(rule); info && info->opt_in && !setting.off)
            engine_options.opt_in_rules.push_back(rule);
    StaticCatalog local;
    local.rls_used = options.rls_used;
    local.lock_timeout = options.assume_lock_timeout;
    // With a schema (--schema, the migrations before the changed ones), existing objects are known.
    const CatalogFacts &catalog = options.schema ? static_cast<const CatalogFacts &>(*options.schema) : local;
    const LineIndex lines(src);
    PositionCursor cursor(src, lines);
    ScriptOptions script;
    script.psql = options.psql;

    int numbered = 0;  // statements of the sections before
    for (const Section &section : layout.sections) {
        if (section.direction != Direction::Up && options.down == DownPolicy::Skip) continue;
        ScriptAnalysis analysis;
        try {
            analysis = analyze_script(section_text(filled, section), catalog, engine_options, script);
        } catch (const std::exception &e) {
            // An engine failure on one file must not hide the reports on the others.
            analysis.errors.push_back({ParseError{std::string("internal error: ") + e.what(), -1}, 0});
        }
        for (const auto &skipped : analysis.skipped)
            report.notes.push_back({skipped.note + " skipped: psql reads it, it is not SQL", skipped.begin,
                                    cursor.at(skipped.begin)});
        for (const auto &e : analysis.errors) {
            FileError error{e.error.message, error_offset(src, e.error.location), {}, e.statement ? e.statement + numbered : 0};
            // The parser is 17's: say so where the migrations are meant for a newer server and
            // the statement looks like the newer syntax.
            if (options.postgres_version > parser_major() && error.message.rfind("syntax error", 0) == 0 &&
                looks_newer(src, error.offset))
                error.message += " (the linter reads PostgreSQL " + std::to_string(parser_major()) +
                                 "'s grammar: syntax new in " + std::to_string(options.postgres_version) +
                                 ", such as NOT NULL constraints, VIRTUAL columns or NOT ENFORCED, is not read)";
            if (error.offset >= 0) error.position = lines.at(error.offset);
            report.errors.push_back(std::move(error));
        }
        report.statements += analysis.statement_count;
        for (auto &statement : analysis.statements) {
            report.statement_offsets.push_back(skip_blanks(src, statement.location));
            report.statement_numbers.push_back(statement.number + numbered);
            for (auto &finding : statement.findings) {
                if (finding.no_action) continue;  // proven harmless: nothing to review
                finding.statement += numbered;
                // A location on the blanks before a statement would put the caret on a comment.
                const int offset = skip_blanks(src, finding.location);
                LocatedFinding lf{std::move(finding), offset, cursor.at(offset), section.direction, std::nullopt};
                report.findings.push_back(std::move(lf));
            }
        }
        numbered += analysis.statement_count;
    }
    if (!placeholders.empty()) {
        const Placeholder &p = placeholders.front();
        report.notes.push_back({"template placeholder " + p.text + (p.name.empty() ? " read as blanks" : " read as the name " + p.name) +
                                    (placeholders.size() > 1 ? " (and " + std::to_string(placeholders.size() - 1) + " more like it)" : ""),
                                static_cast<int>(p.offset), cursor.at(static_cast<int>(p.offset))});
    }
    report.sections = std::move(layout.sections);
    return report;
}

void apply_decisions(FileReport &report, const LintOptions &options) {
    // [rules]: off or another risk.
    if (!options.rules.empty()) {
        std::vector<LocatedFinding> kept;
        for (auto &lf : report.findings) {
            auto it = options.rules.find(lf.finding.rule);
            if (it != options.rules.end()) {
                if (it->second.off) continue;
                if (it->second.risk) lf.finding.risk = *it->second.risk;
            }
            kept.push_back(std::move(lf));
        }
        report.findings = std::move(kept);
    }

    std::vector<IgnoreComment> ignores = find_ignore_comments(report.text);
    if (ignores.empty()) return;
    const LineIndex lines(report.text);
    // The statement a comment applies to: the first that starts after it (statement_offsets
    // are in text order).
    auto statement_after = [&](int offset) {
        auto it = std::upper_bound(report.statement_offsets.begin(), report.statement_offsets.end(), offset);
        return it == report.statement_offsets.end()
                   ? -1
                   : report.statement_numbers[it - report.statement_offsets.begin()];
    };
    for (auto &ignore : ignores) {
        if (!ignore.problem.empty()) continue;
        const LineCol at = lines.at(ignore.offset);
        const int target_statement = ignore.whole_file ? -1 : statement_after(ignore.end);
        if (!ignore.whole_file && target_statement < 0) continue;  // nothing follows: unused
        for (auto &lf : report.findings) {
            if (lf.suppressed || about_suppressions(lf.finding.rule) || !lists(ignore.rules, lf.finding.rule)) continue;
            if (!ignore.whole_file && lf.finding.statement != target_statement) continue;
            lf.suppressed = Suppressed{ignore.reason, ignore.whole_file ? "file" : "statement", at};
            ++ignore.uses;
        }
    }
    for (const auto &ignore : ignores) {
        const LineCol at = lines.at(ignore.offset);
        const Direction d = direction_at(report.sections, ignore.offset);
        const std::string what = ignore.whole_file ? "migration-guard-ignore-file" : "migration-guard-ignore";
        if (!ignore.problem.empty()) {
            report.findings.push_back(make_finding("invalid-suppression", ignore.offset, at, "",
                                                   "This " + what + " comment " + ignore.problem +
                                                       ", so it suppresses nothing",
                                                   "-- " + what + " RULE[,RULE...]: why the finding is accepted",
                                                   d));
        } else if (ignore.uses == 0) {
            std::string rules;
            for (const auto &r : ignore.rules) rules += (rules.empty() ? "" : ", ") + r;
            report.findings.push_back(make_finding(
                "unused-suppression", ignore.offset, at, "",
                "This " + what + " comment suppresses nothing: " +
                    (ignore.whole_file ? "no statement of the file" : "the next statement") + " has no " + rules +
                    " finding",
                "Remove the comment, or move it above the statement it is meant for", d));
        }
    }
    // Findings about a comment go just before the statement that follows it.
    auto key = [&](const LocatedFinding &lf) {
        if (lf.finding.statement > 0) return std::pair{lf.finding.statement, 1};
        const int next = statement_after(lf.offset);
        return std::pair{next < 0 ? INT32_MAX : next, 0};
    };
    std::stable_sort(report.findings.begin(), report.findings.end(),
                     [&](const LocatedFinding &a, const LocatedFinding &b) { return key(a) < key(b); });
}

LocatedFinding file_finding(const std::string &rule, std::string message, std::string hint, Direction direction) {
    return make_finding(rule, 0, LineCol{1, 1}, "", std::move(message), std::move(hint), direction);
}

void Summary::add(const FileReport &file) {
    ++files;
    if (!file.errors.empty()) ++files_with_errors;
    parse_errors += static_cast<int>(file.errors.size());
    statements += file.statements;
    for (const auto &f : file.findings) {
        if (f.suppressed) {
            ++suppressed;
            continue;
        }
        if (!f.counts(down)) {
            ++down_findings;
            continue;
        }
        ++findings;
        ++by_risk[static_cast<int>(f.finding.risk)];
        highest = max_risk(highest, f.finding.risk);
    }
    if (file.dry_run)
        for (const auto &d : *file.dry_run) {
            dry_run_errors += d.failed() ? 1 : 0;
            would_block += d.would_block ? 1 : 0;
        }
}

void Summary::fold_run_advice(FileReport &file) {
    // Up and down migrations alike: the advice is the same.
    auto folded = [](const LocatedFinding &f) { return f.finding.rule == "require-lock-timeout" && !f.suppressed; };
    auto &fs = file.findings;
    const auto first = std::find_if(fs.begin(), fs.end(), folded);
    if (first == fs.end()) return;
    // The first migration that needs it shows it (once per transaction); later ones are counted.
    if (lock_timeout_first.empty()) {
        lock_timeout_first = file.path;
        first->finding.hint += " (shown in the first migration of a run that needs it: the summary counts the later "
                               "ones; if the role that migrates has one, ALTER ROLE ... SET lock_timeout, pass "
                               "--assume-lock-timeout)";
        return;
    }
    ++lock_timeout_folded;
    fs.erase(std::remove_if(fs.begin(), fs.end(), folded), fs.end());
}

bool Summary::failed() const {
    if (dry_run_errors > 0 || would_block > 0) return true;
    for (int r = static_cast<int>(fail_on); r < static_cast<int>(by_risk.size()); ++r)
        if (by_risk[r] > 0) return true;
    return false;
}

}  // namespace mg::cli
