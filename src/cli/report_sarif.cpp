// SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) ingest.
// Rules come from the engine's catalog; statements that do not parse become error
// notifications of the invocation rather than results, since no rule produced them. Suppressed
// findings are results with a "suppressions" entry (kind inSource, the reason as justification).
// check adds statements that fail in the dry run as results of one more rule, dry-run-error.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/json_writer.hpp"
#include "cli/report.hpp"
#include "cli/version.hpp"
#include "engine/rule_catalog.hpp"

namespace mg::cli {

namespace {

const char *sarif_level(Risk r) {
    switch (r) {
        case Risk::Critical:
        case Risk::High: return "error";
        case Risk::Medium: return "warning";
        case Risk::Low: return "note";
    }
    return "note";
}

// artifactLocation.uri must be a URI reference: percent-encode every byte outside the
// unreserved set, keeping '/' so relative paths stay paths.
std::string path_to_uri(const std::string &path) {
    static const char hex[] = "0123456789ABCDEF";
    std::string uri;
    for (const unsigned char c : path) {
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                          c == '~' || c == '/';
        if (keep) {
            uri += static_cast<char>(c);
        } else {
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 0xF];
        }
    }
    return uri;
}

struct Notification {
    std::string path;
    FileError error;
};

class SarifReporter : public Reporter {
public:
    explicit SarifReporter(bool dry_run) : dry_run_(dry_run) {
        json_.begin_object();
        json_.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json_.member("version", "2.1.0");
        json_.key("runs");
        json_.begin_array();
        json_.begin_object();
        write_tool();
        // LineIndex counts columns in code points, not SARIF's default UTF-16 code units.
        json_.member("columnKind", "unicodeCodePoints");
        json_.key("results");
        json_.begin_array();
    }

    void file(const FileReport &report) override {
        const std::string uri = path_to_uri(report.path);
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            json_.begin_object();
            json_.member("ruleId", f.rule);
            if (const int index = rule_index(f.rule); index >= 0) json_.member("ruleIndex", index);
            json_.member("level", sarif_level(f.risk));
            json_.key("message");
            json_.begin_object();
            json_.member("text", f.message);
            json_.end_object();
            write_locations(uri, lf.position);
            json_.key("properties");
            json_.begin_object();
            json_.member("risk", risk_name(f.risk));
            json_.member("category", f.category);
            json_.member("statement", f.statement);
            json_.member("hint", f.hint);
            json_.member("direction", direction_name(lf.direction));
            if (f.lock != LockMode::None) json_.member("lockMode", lock_mode_name(f.lock));
            json_.end_object();
            if (lf.suppressed) {
                json_.key("suppressions");
                json_.begin_array();
                json_.begin_object();
                json_.member("kind", "inSource");
                json_.member("justification", lf.suppressed->reason);
                json_.end_object();
                json_.end_array();
            }
            json_.end_object();
        }
        if (report.dry_run)
            for (const auto &d : *report.dry_run)
                if (d.failed()) dry_run_result(uri, d);
        for (const auto &e : report.errors) notifications_.push_back({report.path, e});
        flush_stdout(out_);
    }

    void finish(const Summary &) override {
        json_.end_array();  // results
        json_.key("invocations");
        json_.begin_array();
        json_.begin_object();
        json_.member("executionSuccessful", notifications_.empty());
        json_.key("toolExecutionNotifications");
        json_.begin_array();
        for (const auto &n : notifications_) {
            json_.begin_object();
            json_.member("level", "error");
            json_.key("message");
            json_.begin_object();
            json_.member("text", n.error.message);
            json_.end_object();
            if (n.error.offset >= 0) {
                write_locations(path_to_uri(n.path), n.error.position);
            } else {
                json_.key("locations");
                json_.begin_array();
                json_.begin_object();
                json_.key("physicalLocation");
                json_.begin_object();
                write_artifact(path_to_uri(n.path));
                json_.end_object();
                json_.end_object();
                json_.end_array();
            }
            json_.end_object();
        }
        json_.end_array();
        json_.end_object();
        json_.end_array();  // invocations
        json_.end_object();  // run
        json_.end_array();   // runs
        json_.end_object();
        out_ += '\n';
        flush_stdout(out_);
    }

private:
    void write_tool() {
        json_.key("tool");
        json_.begin_object();
        json_.key("driver");
        json_.begin_object();
        json_.member("name", "migration-guard");
        json_.member("version", kVersion);
        json_.key("rules");
        json_.begin_array();
        for (const auto &rule : all_rules())
            write_rule(rule.id, rule.summary, rule.default_risk, rule.category);
        // After the catalog, so the catalog's ruleIndex values stay as lint writes them.
        if (dry_run_)
            write_rule(kDryRunErrorRule,
                       "The statement fails when the migration runs (in a rolled-back dry run)",
                       Risk::High, "integrity");
        json_.end_array();
        json_.end_object();
        json_.end_object();
    }

    void write_rule(const char *id, const char *summary, Risk risk, const char *category) {
        json_.begin_object();
        json_.member("id", id);
        json_.key("shortDescription");
        json_.begin_object();
        json_.member("text", summary);
        json_.end_object();
        if (std::string(id) != kDryRunErrorRule) json_.member("helpUri", rule_docs_url(id));
        json_.key("help");
        json_.begin_object();
        json_.member("text", summary);
        json_.end_object();
        json_.key("defaultConfiguration");
        json_.begin_object();
        json_.member("level", sarif_level(risk));
        json_.end_object();
        json_.key("properties");
        json_.begin_object();
        json_.member("risk", risk_name(risk));
        json_.member("category", category);
        json_.end_object();
        json_.end_object();
    }

    void dry_run_result(const std::string &uri, const DryRunStatement &d) {
        json_.begin_object();
        json_.member("ruleId", kDryRunErrorRule);
        json_.member("ruleIndex", static_cast<int>(all_rules().size()));
        json_.member("level", "error");
        json_.key("message");
        json_.begin_object();
        json_.member("text", dry_run_failure(d));
        json_.end_object();
        write_locations(uri, d.position);
        json_.key("properties");
        json_.begin_object();
        json_.member("statement", d.statement);
        json_.member("command", d.command);
        json_.end_object();
        json_.end_object();
    }

    void write_artifact(const std::string &uri) {
        json_.key("artifactLocation");
        json_.begin_object();
        json_.member("uri", uri);
        json_.end_object();
    }

    void write_locations(const std::string &uri, LineCol pos) {
        json_.key("locations");
        json_.begin_array();
        json_.begin_object();
        json_.key("physicalLocation");
        json_.begin_object();
        write_artifact(uri);
        if (pos.line > 0) {  // line 0: about the database as a whole (verify)
            json_.key("region");
            json_.begin_object();
            json_.member("startLine", pos.line);
            json_.member("startColumn", pos.column);
            json_.end_object();
        }
        json_.end_object();
        json_.end_object();
        json_.end_array();
    }

    static int rule_index(const std::string &id) {
        const auto &rules = all_rules();
        for (size_t i = 0; i < rules.size(); ++i)
            if (id == rules[i].id) return static_cast<int>(i);
        return -1;
    }

    bool dry_run_;
    std::string out_;
    JsonWriter json_{out_};
    std::vector<Notification> notifications_;
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter(bool dry_run) {
    return std::make_unique<SarifReporter>(dry_run);
}

}  // namespace mg::cli
