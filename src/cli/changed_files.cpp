#include "cli/changed_files.hpp"

#include <climits>
#include <cstdlib>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace mg::cli {

namespace {

// Runs git with these arguments (no shell: a ref is never interpreted) and returns its output.
// `git -C dir ARGS...`: the repository of the migrations, wherever the linter runs from.
bool git(const std::string &dir, std::vector<std::string> args, std::string &out, std::string &error) {
    if (!dir.empty()) args.insert(args.begin(), {"-C", dir});
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        error = "cannot run git";
        return false;
    }
    const pid_t pid = fork();
    if (pid < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        error = "cannot run git";
        return false;
    }
    if (pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        // Its own complaints ("fatal: not a git repository") would come before ours, which say more.
        if (const int null = open("/dev/null", O_WRONLY); null >= 0) dup2(null, STDERR_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        std::vector<char *> argv;
        static char name[] = "git";
        argv.push_back(name);
        for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execvp("git", argv.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    char buffer[4096];
    ssize_t n;
    while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "git is not installed"
                                                                : "git " + args[dir.empty() ? 0 : 2] + " failed (exit " +
                                                                      std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
        return false;
    }
    return true;
}

// "STATUS\0path\0" records of --name-status -z (renames carry two paths).
void read_status(const std::string &out, const std::string &top, std::map<std::string, Change> &changed) {
    size_t at = 0;
    while (at < out.size()) {
        const size_t end = out.find('\0', at);
        if (end == std::string::npos) break;
        const std::string status = out.substr(at, end - at);
        at = end + 1;
        const int paths = !status.empty() && (status[0] == 'R' || status[0] == 'C') ? 2 : 1;
        std::string path;
        for (int i = 0; i < paths && at < out.size(); i++) {
            const size_t stop = out.find('\0', at);
            path = out.substr(at, stop - at);
            at = stop == std::string::npos ? out.size() : stop + 1;
        }
        if (status.empty() || status[0] == 'D') continue;
        const Change c = status[0] == 'M' || status[0] == 'T' ? Change::Edited : Change::Added;
        const std::string full = top + "/" + path;
        auto it = changed.find(full);
        // Added since the ref and edited since: still new to every database.
        if (it == changed.end()) changed[full] = c;
        else if (it->second == Change::Edited && c == Change::Added) it->second = c;
    }
}

}  // namespace

std::string canonical_path(const std::string &path) {
    char resolved[PATH_MAX];
    return realpath(path.c_str(), resolved) ? std::string(resolved) : std::string();
}

bool changed_files(const std::string &ref, const std::string &dir, std::map<std::string, Change> &changed,
                   std::string &error) {
    std::string top;
    if (!git(dir, {"rev-parse", "--show-toplevel"}, top, error)) {
        error = "--changed-since needs a git repository (" + error + ")";
        return false;
    }
    while (!top.empty() && (top.back() == '\n' || top.back() == '\r')) top.pop_back();
    top = canonical_path(top);
    std::string commit;
    if (!git(dir, {"rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"}, commit, error)) {
        error = "--changed-since: '" + ref + "' is not a commit git knows";
        return false;
    }
    while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
    // A pull request's changes: since where its branch left the ref.
    std::string base;
    if (!git(dir, {"merge-base", commit, "HEAD"}, base, error)) base = commit;
    while (!base.empty() && (base.back() == '\n' || base.back() == '\r')) base.pop_back();
    std::string out;
    // Committed since the merge base, then what the working tree changes on top of it.
    if (!git(dir, {"diff", "--name-status", "-z", "--no-renames", base}, out, error)) return false;
    read_status(out, top, changed);
    out.clear();
    if (!git(dir, {"ls-files", "-z", "--others", "--exclude-standard", "--full-name", top}, out, error)) return false;
    size_t at = 0;
    while (at < out.size()) {
        const size_t end = out.find('\0', at);
        const std::string path = out.substr(at, end - at);
        if (!path.empty()) changed.emplace(top + "/" + path, Change::Added);
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return true;
}

}  // namespace mg::cli
