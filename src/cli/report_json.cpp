// Machine-readable report; its shape is part of the CLI contract:
//   {"files":[{"path":...,"findings":[{"rule","risk","category","statement","line","column",
//   "message","hint","lock_mode"}]}],"summary":{...}}
// A file that could not be parsed carries "findings":[] and an "error" object.
// check adds "dry_run" (one object per statement) to each file it sent, and "dry_run_errors" to
// the summary.
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
        for (const auto &lf : report.findings) {
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
            json_.end_object();
        }
        json_.end_array();
        if (report.error) {
            const FileError &e = *report.error;
            json_.key("error");
            json_.begin_object();
            json_.member("message", e.message);
            if (e.offset >= 0) {
                json_.member("line", e.position.line);
                json_.member("column", e.position.column);
            } else {
                json_.null_member("line");
                json_.null_member("column");
            }
            json_.end_object();
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
        if (dry_run_) json_.member("dry_run_errors", s.dry_run_errors);
        json_.end_object();
        json_.end_object();
        out_ += '\n';
        flush_stdout(out_);
    }

private:
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
