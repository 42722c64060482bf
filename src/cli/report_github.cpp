// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
//   ::error file=P,line=L,col=C,title=rule-id::message
// critical/high → error, medium → warning, low → notice. check adds an error titled
// dry-run-error for each statement that fails in the dry run.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/report.hpp"

namespace mg::cli {

namespace {

const char *command_for(Risk r) {
    switch (r) {
        case Risk::Critical:
        case Risk::High: return "error";
        case Risk::Medium: return "warning";
        case Risk::Low: return "notice";
    }
    return "notice";
}

// Escaping of workflow command data (after "::") ...
std::string escape_data(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '%': out += "%25"; break;
            case '\r': out += "%0D"; break;
            case '\n': out += "%0A"; break;
            default: out += c;
        }
    }
    return out;
}

// ... and of property values, where ':' and ',' are separators too.
std::string escape_property(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case ':': out += "%3A"; break;
            case ',': out += "%2C"; break;
            default: out += escape_data(std::string_view(&c, 1));
        }
    }
    return out;
}

constexpr size_t kAnnotationsPerFile = 10;

class GithubReporter : public Reporter {
public:
    void file(const FileReport &report) override {
        const std::string file = escape_property(report.path);
        for (const FileError &e : report.errors) {
            out_ += "::error file=" + file;
            if (e.offset >= 0) out_ += location(e.position);
            out_ += ",title=parse error::" + escape_data(e.message) + "\n";
        }
        // GitHub shows a handful of annotations per step: per file, the highest risks, the rest counted.
        std::vector<const LocatedFinding *> shown;
        for (const auto &lf : report.findings)
            if (!lf.suppressed) shown.push_back(&lf);
        std::stable_sort(shown.begin(), shown.end(), [](const LocatedFinding *a, const LocatedFinding *b) {
            const bool up_a = a->direction == Direction::Up, up_b = b->direction == Direction::Up;
            if (up_a != up_b) return up_a;
            return a->finding.risk > b->finding.risk;
        });
        const size_t hidden = shown.size() > kAnnotationsPerFile ? shown.size() - kAnnotationsPerFile : 0;
        if (hidden) shown.resize(kAnnotationsPerFile);
        std::stable_sort(shown.begin(), shown.end(), [](const LocatedFinding *a, const LocatedFinding *b) {
            return a->offset < b->offset;
        });
        for (const LocatedFinding *found : shown) {
            const LocatedFinding &lf = *found;
            const Finding &f = lf.finding;
            // Down migrations are shown, as notices, since they are not counted.
            // Line 0: about the database (verify), no file to annotate.
            out_ += std::string("::") + (lf.direction == Direction::Up ? command_for(f.risk) : "notice") +
                    (lf.position.line > 0 ? " file=" + file + location(lf.position) + "," : " ") +
                    "title=" + escape_property(f.rule + (lf.direction == Direction::Up ? "" : " (down migration)")) +
                    "::" + escape_data(f.message) + "\n";
        }
        if (hidden)
            out_ += "::notice file=" + file + ",title=migration-guard::" + std::to_string(hidden) +
                    " more findings in this file are not annotated (the job summary and --format text list them)\n";
        if (report.dry_run)
            for (const auto &d : *report.dry_run)
                if (d.failed())
                    out_ += "::error file=" + file + location(d.position) + ",title=" +
                            kDryRunErrorRule + "::" + escape_data(dry_run_failure(d)) + "\n";
        flush_stdout(out_);
        if (step_summary_) step_summary_->file(report);
    }

    // Inside GitHub Actions the markdown report goes to the job's step summary as well.
    void finish(const Summary &summary) override {
        out_ += summary_line(summary) + "\n";
        flush_stdout(out_);
        if (!step_summary_) return;
        step_summary_->finish(summary);
        if (const char *path = std::getenv("GITHUB_STEP_SUMMARY")) {
            if (std::FILE *f = std::fopen(path, "ab")) {
                std::fwrite(markdown_.data(), 1, markdown_.size(), f);
                std::fclose(f);
            }
        }
    }

private:
    static std::string location(LineCol pos) {
        return ",line=" + std::to_string(pos.line) + ",col=" + std::to_string(pos.column);
    }

    std::string out_;
    std::string markdown_;
    std::unique_ptr<Reporter> step_summary_ =
        std::getenv("GITHUB_STEP_SUMMARY") && *std::getenv("GITHUB_STEP_SUMMARY") ? make_markdown_reporter(&markdown_)
                                                                                    : nullptr;
};

}  // namespace

std::unique_ptr<Reporter> make_github_reporter() { return std::make_unique<GithubReporter>(); }

}  // namespace mg::cli
