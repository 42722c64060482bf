// All of the extension's settings (GUCs), declared in one place.
#pragma once

#include <string>
#include <vector>

#include "engine/analyzer.hpp"

namespace mg::server {

void define_settings();

// Engine options as the current settings say.
Options engine_options();

}  // namespace mg::server
