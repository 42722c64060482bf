// The extension's shared library: module magic and load-time setup.
#include "server/pg_prelude.hpp"
#include "server/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
void _PG_init(void) { mg::server::define_settings(); }
}
