// Machine-readable report; its shape is part of the CLI contract:
//   {"files":[{"path":...,"findings":[{"rule","risk","category","statement","line","column",
//   "message","hint","lock_mode"}]}],"summary":{...}}
// Each finding also says its migration direction and whether it was suppressed (with the
// reason); suppressed findings and those of down migrations are not counted in the summary.
// A file with statements that do not parse carries "errors" (and "error", the first one).
// check adds "dry_run" (one object per statement) to each file it sent, and "dry_run_errors" to
// the summary.
#include <optional>
#include <vector>

#include "cli/json_writer.hpp"
#include "cli/report.hpp"
#include "engine/lock_mode.hpp"

namespace mg::cli {

namespace {

template <typename T>
Json optional(const std::optional<T> &v) {
    return v ? Json(*v) : Json(nullptr);
}

Json error_json(const FileError &e) {
    Json j;
    j["message"] = e.message;
    j["line"] = e.offset >= 0 ? Json(e.position.line) : Json(nullptr);
    j["column"] = e.offset >= 0 ? Json(e.position.column) : Json(nullptr);
    j["statement"] = e.statement > 0 ? Json(e.statement) : Json(nullptr);
    return j;
}

Json dry_run_json(const DryRunStatement &d) {
    Json j;
    j["statement"] = d.statement;
    j["command"] = d.command;
    j["status"] = d.status;
    j["risk"] = risk_name(d.risk);
    j["would_block"] = d.would_block;
    j["approval"] = optional(d.approval);
    j["locks"] = d.locks;
    j["created"] = d.created;
    j["altered"] = d.altered;
    j["dropped"] = d.dropped;
    j["rewritten"] = d.rewritten;
    j["rows_affected"] = optional(d.rows_affected);
    j["error"] = optional(d.error);
    j["error_line"] = optional(d.error_line);
    j["error_col"] = optional(d.error_col);
    j["note"] = optional(d.note);
    j["duration_ms"] = d.duration_ms;
    return j;
}

class JsonReporter : public Reporter {
public:
    explicit JsonReporter(bool dry_run) : dry_run_(dry_run) { out_ = "{\"files\":["; }

    void file(const FileReport &report) override {
        Json file;
        file["path"] = report.path;
        Json findings = Json::array();
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            Json j;
            j["rule"] = f.rule;
            j["risk"] = risk_name(f.risk);
            j["category"] = f.category;
            j["statement"] = f.statement;
            j["line"] = lf.position.line;
            j["column"] = lf.position.column;
            j["message"] = f.message;
            j["hint"] = f.hint;
            const std::string_view lock = lock_mode_name(f.lock);
            j["lock_mode"] = lock.empty() ? Json(nullptr) : Json(std::string(lock));
            j["direction"] = direction_name(lf.direction);
            if (lf.suppressed)
                j["suppressed"] = {{"reason", lf.suppressed->reason},
                                   {"scope", lf.suppressed->scope},
                                   {"line", lf.suppressed->comment.line}};
            else
                j["suppressed"] = nullptr;
            findings.push_back(std::move(j));
        }
        file["findings"] = std::move(findings);
        file["layout"] = layout_name(report.layout);
        if (!report.errors.empty()) {
            file["error"] = error_json(report.errors.front());
            Json errors = Json::array();
            for (const auto &e : report.errors) errors.push_back(error_json(e));
            file["errors"] = std::move(errors);
        }
        if (!report.notes.empty()) {
            Json notes = Json::array();
            for (const auto &n : report.notes)
                notes.push_back({{"message", n.message}, {"line", n.position.line}, {"column", n.position.column}});
            file["notes"] = std::move(notes);
        }
        if (report.dry_run) {
            Json runs = Json::array();
            for (const auto &d : *report.dry_run) runs.push_back(dry_run_json(d));
            file["dry_run"] = std::move(runs);
        }
        if (report.approve_migration) file["approve_migration"] = *report.approve_migration;
        if (!first_) out_ += ',';
        first_ = false;
        out_ += dump_json(file);
        flush_stdout(out_);
    }

    void finish(const Summary &s) override {
        Json summary;
        summary["files"] = s.files;
        summary["statements"] = s.statements;
        summary["findings"] = s.findings;
        Json by_risk;
        for (int r = 0; r < static_cast<int>(s.by_risk.size()); ++r) by_risk[risk_name(static_cast<Risk>(r))] = s.by_risk[r];
        summary["by_risk"] = std::move(by_risk);
        summary["highest_risk"] = risk_name(s.highest);
        summary["fail_on"] = risk_name(s.fail_on);
        summary["parse_errors"] = s.parse_errors;
        summary["files_with_parse_errors"] = s.files_with_errors;
        summary["suppressed"] = s.suppressed;
        summary["down_findings"] = s.down_findings;
        if (dry_run_) summary["dry_run_errors"] = s.dry_run_errors;
        out_ += "],\"summary\":" + dump_json(summary) + "}\n";
        flush_stdout(out_);
    }

private:
    bool dry_run_;
    bool first_ = true;
    std::string out_;
};

}  // namespace

std::unique_ptr<Reporter> make_json_reporter(bool dry_run) {
    return std::make_unique<JsonReporter>(dry_run);
}

}  // namespace mg::cli
