#include "cli/inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace mg::cli {

namespace {

void collect_folder(const std::string &arg, std::vector<Input> &inputs,
                    std::vector<InputError> &errors) {
    std::vector<std::string> found;
    std::error_code ec;
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const fs::directory_entry &entry = *it;
        std::error_code type_ec;
        if (entry.path().extension() == ".sql" && entry.is_regular_file(type_ec))
            found.push_back(entry.path().string());
    }
    if (ec) {
        errors.push_back({arg, ec.message()});
        return;
    }
    std::sort(found.begin(), found.end());
    for (auto &path : found) inputs.push_back({std::move(path), false});
}

bool read_stream(std::FILE *f, std::string &text) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    return !std::ferror(f);
}

}  // namespace

std::vector<Input> collect_inputs(const std::vector<std::string> &args,
                                  std::vector<InputError> &errors) {
    std::vector<Input> inputs;
    for (const auto &arg : args) {
        if (arg == "-") {
            inputs.push_back({"<stdin>", true});
            continue;
        }
        std::error_code ec;
        const fs::file_status st = fs::status(arg, ec);
        if (ec || !fs::exists(st)) {
            errors.push_back({arg, ec && ec != std::errc::no_such_file_or_directory
                                       ? ec.message()
                                       : std::strerror(ENOENT)});
        } else if (fs::is_directory(st)) {
            collect_folder(arg, inputs, errors);
        } else {
            inputs.push_back({arg, false});
        }
    }
    return inputs;
}

bool read_input(const Input &input, std::string &text, std::string &error) {
    text.clear();
    if (input.is_stdin) {
        if (read_stream(stdin, text)) return true;
        error = std::strerror(errno);
        return false;
    }
    std::FILE *f = std::fopen(input.path.c_str(), "rb");
    if (!f) {
        error = std::strerror(errno);
        return false;
    }
    // Size the buffer up front so large migrations are read with a single allocation.
    if (std::fseek(f, 0, SEEK_END) == 0) {
        const long size = std::ftell(f);
        if (size > 0) text.reserve(static_cast<size_t>(size));
        std::rewind(f);
    }
    const bool ok = read_stream(f, text);
    if (!ok) error = std::strerror(errno);
    std::fclose(f);
    return ok;
}

bool for_each_input(const std::vector<std::string> &args,
                    const std::function<bool(const Input &, std::string text)> &per_file) {
    bool ok = true;
    std::vector<InputError> errors;
    const std::vector<Input> inputs = collect_inputs(args, errors);
    for (const auto &e : errors) {
        std::fprintf(stderr, "migration-guard: %s: %s\n", e.path.c_str(), e.message.c_str());
        ok = false;
    }
    for (const auto &input : inputs) {
        std::string text;
        std::string error;
        if (!read_input(input, text, error)) {
            std::fprintf(stderr, "migration-guard: %s: %s\n", input.path.c_str(), error.c_str());
            ok = false;
            continue;
        }
        if (!per_file(input, std::move(text))) break;
    }
    return ok;
}

}  // namespace mg::cli
