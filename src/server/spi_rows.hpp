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

#include "server/pg_prelude.hpp"

namespace mg::server {

// text[] and back, element by element: names may hold any separator a joined string would use.
// PostgreSQL code (palloc); call inside pg_call or SPI.
Datum text_array_datum(const std::vector<std::string> &items);
std::vector<std::string> text_array_strings(Datum array);

}  // namespace mg::server
