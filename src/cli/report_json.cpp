// Machine-readable report; its shape is part of the CLI contract:
//   {"files":[{"path":...,"findings":[{"rule","risk","category","statement","line","column",
//   "message","hint","lock_mode"}]}],"summary":{...}}
// Each finding also says its migration direction and whether it was suppressed (with the
// reason); suppressed findings and those of down migrations are not counted in the summary.
// A file with statements that do not parse carries "errors" (and "error", the first one).
// check adds "dry_run" (one object per statement) to each file it sent, and "dry_run_errors" to
// the summary.
// Written with the streaming JsonWriter: nlohmann-json's serializer costs 2.3 times the
// instructions per byte, a third of a whole lint run (bench/lint_corpus.sh, docs/performance.md).
#include <optional>
#include <vector>

#include "cli/json_writer.hpp"
#include "cli/report.hpp"
#include "engine/lock_mode.hpp"

namespace mg::cli {

namespace {

class JsonReporter : public Reporter {
public:
    explicit JsonReporter(bool dry_run) : dry_run_(dry_run) {
        json_.begin_object();
        json_.key("files");
        json_.begin_array();
    }

    void file(const FileReport &report) override {
        json_.begin_object();
        json_.member("path", report.path);
        json_.key("findings");
        json_.begin_array();
        for (const auto &lf : report.findings) finding(lf);
        json_.end_array();
        json_.member("layout", layout_name(report.layout));
        if (!report.errors.empty()) {
            json_.key("error");
            error(report.errors.front());
            json_.key("errors");
            json_.begin_array();
            for (const auto &e : report.errors) error(e);
            json_.end_array();
        }
        if (!report.notes.empty()) {
            json_.key("notes");
            json_.begin_array();
            for (const auto &n : report.notes) {
                json_.begin_object();
                json_.member("message", n.message);
                json_.member("line", n.position.line);
                json_.member("column", n.position.column);
                json_.end_object();
            }
            json_.end_array();
        }
        if (report.dry_run) dry_run(*report.dry_run);
        if (report.approve_migration) json_.member("approve_migration", *report.approve_migration);
        json_.end_object();
        flush_stdout(out_);
    }

    void finish(const Summary &s) override {
        json_.end_array();
        json_.key("summary");
        json_.begin_object();
        json_.member("files", s.files);
        json_.member("statements", s.statements);
        json_.member("findings", s.findings);
        json_.key("by_risk");
        json_.begin_object();
        for (int r = 0; r < static_cast<int>(s.by_risk.size()); ++r)
            json_.member(risk_name(static_cast<Risk>(r)), s.by_risk[r]);
        json_.end_object();
        json_.member("highest_risk", risk_name(s.highest));
        json_.member("fail_on", risk_name(s.fail_on));
        json_.member("parse_errors", s.parse_errors);
        json_.member("files_with_parse_errors", s.files_with_errors);
        json_.member("suppressed", s.suppressed);
        json_.member("down_findings", s.down_findings);
        // Migrations whose require-lock-timeout the run shows only once (at lock_timeout_first).
        json_.member("lock_timeout_folded", s.lock_timeout_folded);
        json_.member("other_engine_files", s.other_engine_files);
        if (dry_run_) json_.member("dry_run_errors", s.dry_run_errors);
        if (dry_run_) json_.member("would_block", s.would_block);
        json_.end_object();
        json_.end_object();
        out_ += '\n';
        flush_stdout(out_);
    }

private:
    void finding(const LocatedFinding &lf) {
        const Finding &f = lf.finding;
        json_.begin_object();
        json_.member("rule", f.rule);
        json_.member("risk", risk_name(f.risk));
        json_.member("category", f.category);
        json_.member("statement", f.statement);
        json_.member("line", lf.position.line);
        json_.member("column", lf.position.column);
        json_.member("message", f.message);
        json_.member("hint", f.hint);
        const std::string_view lock = lock_mode_name(f.lock);
        if (lock.empty()) json_.null_member("lock_mode");
        else json_.member("lock_mode", lock);
        json_.member("direction", direction_name(lf.direction));
        if (lf.suppressed) {
            json_.key("suppressed");
            json_.begin_object();
            json_.member("reason", lf.suppressed->reason);
            json_.member("scope", lf.suppressed->scope);
            json_.member("line", lf.suppressed->comment.line);
            json_.end_object();
        } else {
            json_.null_member("suppressed");
        }
        json_.end_object();
    }

    void error(const FileError &e) {
        json_.begin_object();
        json_.member("message", e.message);
        if (e.offset >= 0) {
            json_.member("line", e.position.line);
            json_.member("column", e.position.column);
        } else {
            json_.null_member("line");
            json_.null_member("column");
        }
        if (e.statement > 0) json_.member("statement", e.statement);
        else json_.null_member("statement");
        json_.end_object();
    }

    void dry_run(const std::vector<DryRunStatement> &statements) {
        json_.key("dry_run");
        json_.begin_array();
        for (const auto &d : statements) {
            json_.begin_object();
            json_.member("statement", d.statement);
            json_.member("command", d.command);
            json_.member("status", d.status);
            json_.member("risk", risk_name(d.risk));
            json_.member("would_block", d.would_block);
            optional("approval", d.approval);
            strings("locks", d.locks);
            strings("created", d.created);
            strings("altered", d.altered);
            strings("dropped", d.dropped);
            strings("rewritten", d.rewritten);
            optional("rows_affected", d.rows_affected);
            optional("error", d.error);
            optional("error_line", d.error_line);
            optional("error_col", d.error_col);
            optional("note", d.note);
            json_.member("duration_ms", d.duration_ms);
            json_.end_object();
        }
        json_.end_array();
    }

    template <typename T>
    void optional(const char *key, const std::optional<T> &v) {
        if (v) json_.member(key, *v);
        else json_.null_member(key);
    }

    void strings(const char *key, const std::vector<std::string> &items) {
        json_.key(key);
        json_.begin_array();
        for (const auto &item : items) json_.value(item);
        json_.end_array();
    }

    bool dry_run_;
    std::string out_;
    JsonWriter json_{out_};
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(bool dry_run) {
    return std::make_unique<JsonReporter>(dry_run);
}

}  // namespace mg::cli
