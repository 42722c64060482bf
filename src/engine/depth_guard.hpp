// A bound on how deep the engine follows nested expressions. A statement like
// `DEFAULT 1+1+...+1` with 250,000 terms is a tree 250,000 levels deep: walking it recursively
// would overflow the stack (in the server: of a backend, taking the cluster down with it). The
// engine stops at a depth far beyond real migrations and reports the statement instead.
#pragma once

#include <stdexcept>
#include <string>

namespace mg {

constexpr int kMaxExpressionDepth = 3000;

class TooDeep : public std::runtime_error {
public:
    explicit TooDeep(int location)
        : std::runtime_error("expression nested more than " + std::to_string(kMaxExpressionDepth) +
                             " levels deep: too complex to judge"),
          location(location) {}
    int location;  // byte offset of the statement, or -1
};

// One level of a recursive walk; throws TooDeep past the limit.
class DepthGuard {
public:
    DepthGuard() {
        if (++depth_ > kMaxExpressionDepth) {
            --depth_;
            throw TooDeep(-1);
        }
    }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard &) = delete;
    DepthGuard &operator=(const DepthGuard &) = delete;

private:
    static inline thread_local int depth_ = 0;
};

}  // namespace mg
