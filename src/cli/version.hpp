// The CLI's version, shown by --version and in SARIF output: the project's (CMakeLists.txt).
#pragma once

namespace mg::cli {
inline constexpr const char *kVersion = MG_VERSION;
}
