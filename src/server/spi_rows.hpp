// Small read-only catalog queries whose answer the C++ side keeps: rows of text, copied out of
// SPI before it is released.
#pragma once

#include <string>
#include <vector>

namespace mg::server {

// Runs `query` (read-only, in its own SPI connection) and returns every row, each column as text
// ("" for NULL). A failing query raises the PostgreSQL error as a C++ exception.
std::vector<std::vector<std::string>> spi_rows(const char *query);
// The same with `param` as $1 (text).
std::vector<std::vector<std::string>> spi_rows(const char *query, const char *param);

}  // namespace mg::server
