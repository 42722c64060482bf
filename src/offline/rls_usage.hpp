// Which schemas a migration text puts row level security to use (ENABLE/FORCE ROW LEVEL
// SECURITY, CREATE POLICY): table-without-rls matters only where RLS is used.
#pragma once

#include <string>
#include <vector>

namespace mg {

// Cheap when the text mentions neither; statements that do not parse are passed over.
std::vector<std::string> schemas_using_rls(const std::string &text);

}  // namespace mg
