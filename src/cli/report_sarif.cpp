// SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) ingest.
// Rules come from the engine's catalog; statements that do not parse become error
// notifications of the invocation rather than results, since no rule produced them. Suppressed
// findings are results with a "suppressions" entry (kind inSource, the reason as justification).
// check adds statements that fail in the dry run as results of one more rule, dry-run-error.
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

Json rule_json(const char *id, const char *summary, Risk risk, const char *category) {
    return {{"id", id},
            {"shortDescription", {{"text", summary}}},
            {"defaultConfiguration", {{"level", sarif_level(risk)}}},
            {"properties", {{"risk", risk_name(risk)}, {"category", category}}}};
}

// line 0: about the database as a whole (verify): no region.
Json locations(const std::string &uri, LineCol pos, bool with_region = true) {
    Json physical = {{"artifactLocation", {{"uri", uri}}}};
    if (with_region && pos.line > 0) physical["region"] = {{"startLine", pos.line}, {"startColumn", pos.column}};
    return Json::array({{{"physicalLocation", physical}}});
}

int rule_index(const std::string &id) {
    const auto &rules = all_rules();
    for (size_t i = 0; i < rules.size(); ++i)
        if (id == rules[i].id) return static_cast<int>(i);
    return -1;
}

class SarifReporter : public Reporter {
public:
    explicit SarifReporter(bool dry_run) : dry_run_(dry_run) {
        Json rules = Json::array();
        for (const auto &rule : all_rules()) rules.push_back(rule_json(rule.id, rule.summary, rule.default_risk, rule.category));
        // After the catalog, so the catalog's ruleIndex values stay as lint writes them.
        if (dry_run_)
            rules.push_back(rule_json(kDryRunErrorRule,
                                      "The statement fails when the migration runs (in a rolled-back dry run)",
                                      Risk::High, "integrity"));
        Json tool = {{"driver", {{"name", "migration-guard"}, {"version", kVersion}, {"rules", rules}}}};
        out_ = "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{";
        // LineIndex counts columns in code points, not SARIF's default UTF-16 code units.
        out_ += "\"tool\":" + dump_json(tool) + ",\"columnKind\":\"unicodeCodePoints\",\"results\":[";
    }

    void file(const FileReport &report) override {
        const std::string uri = path_to_uri(report.path);
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            Json r;
            r["ruleId"] = f.rule;
            if (const int index = rule_index(f.rule); index >= 0) r["ruleIndex"] = index;
            r["level"] = sarif_level(f.risk);
            r["message"] = {{"text", f.message}};
            r["locations"] = locations(uri, lf.position);
            Json props = {{"risk", risk_name(f.risk)},
                          {"category", f.category},
                          {"statement", f.statement},
                          {"hint", f.hint},
                          {"direction", direction_name(lf.direction)}};
            if (f.lock != LockMode::None) props["lockMode"] = std::string(lock_mode_name(f.lock));
            r["properties"] = std::move(props);
            if (lf.suppressed)
                r["suppressions"] = Json::array({{{"kind", "inSource"}, {"justification", lf.suppressed->reason}}});
            result(r);
        }
        if (report.dry_run)
            for (const auto &d : *report.dry_run)
                if (d.failed())
                    result({{"ruleId", kDryRunErrorRule},
                            {"ruleIndex", static_cast<int>(all_rules().size())},
                            {"level", "error"},
                            {"message", {{"text", dry_run_failure(d)}}},
                            {"locations", locations(uri, d.position)},
                            {"properties", {{"statement", d.statement}, {"command", d.command}}}});
        for (const auto &e : report.errors)
            notifications_.push_back({{"level", "error"},
                                      {"message", {{"text", e.message}}},
                                      {"locations", locations(uri, e.position, e.offset >= 0)}});
        flush_stdout(out_);
    }

    void finish(const Summary &) override {
        Json invocation = {{"executionSuccessful", notifications_.empty()},
                           {"toolExecutionNotifications", notifications_}};
        out_ += "],\"invocations\":[" + dump_json(invocation) + "]}]}\n";
        flush_stdout(out_);
    }

private:
    void result(const Json &r) {
        if (!first_) out_ += ',';
        first_ = false;
        out_ += dump_json(r);
    }

    bool dry_run_;
    bool first_ = true;
    std::string out_;
    Json notifications_ = Json::array();
};

}  // namespace

std::unique_ptr<Reporter> make_sarif_reporter(bool dry_run) {
    return std::make_unique<SarifReporter>(dry_run);
}

}  // namespace mg::cli
