// The CLI's version, shown by --version and in SARIF output.
#pragma once

namespace mg::cli {
inline constexpr const char *kVersion = "0.2.0";
}
