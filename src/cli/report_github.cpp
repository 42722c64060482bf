// GitHub Actions workflow commands: each finding becomes an annotation on the pull request.
//   ::error file=P,line=L,col=C,title=rule-id::message
// critical/high → error, medium → warning, low → notice. check adds an error titled
// dry-run-error for each statement that fails in the dry run.
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

class GithubReporter : public Reporter {
public:
    void file(const FileReport &report) override {
        const std::string file = escape_property(report.path);
        if (report.error) {
            const FileError &e = *report.error;
            out_ += "::error file=" + file;
            if (e.offset >= 0) out_ += location(e.position);
            out_ += ",title=parse error::" + escape_data(e.message) + "\n";
        }
        for (const auto &lf : report.findings) {
            const Finding &f = lf.finding;
            // Line 0: about the database (verify), no file to annotate.
            out_ += std::string("::") + command_for(f.risk) +
                    (lf.position.line > 0 ? " file=" + file + location(lf.position) + "," : " ") +
                    "title=" + escape_property(f.rule) +
                    "::" + escape_data(f.message) + "\n";
        }
        if (report.dry_run)
            for (const auto &d : *report.dry_run)
                if (d.failed())
                    out_ += "::error file=" + file + location(d.position) + ",title=" +
                            kDryRunErrorRule + "::" + escape_data(dry_run_failure(d)) + "\n";
        flush_stdout(out_);
    }

    void finish(const Summary &summary) override {
        out_ += summary_line(summary) + "\n";
        flush_stdout(out_);
    }

private:
    static std::string location(LineCol pos) {
        return ",line=" + std::to_string(pos.line) + ",col=" + std::to_string(pos.column);
    }

    std::string out_;
};

}  // namespace

std::unique_ptr<Reporter> make_github_reporter() { return std::make_unique<GithubReporter>(); }

}  // namespace mg::cli
