// The approve_migration() call for a migration text, with the text dollar-quoted exactly as it is
// (a tag the text does not contain), as the CLI's check and the server's block message print it.
#pragma once

#include <string>

namespace mg {

std::string approve_migration_call(const std::string &text, const std::string &for_role = {});

}  // namespace mg
