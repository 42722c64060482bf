#include "server/standby.hpp"

#include <string>

#include "server/boundary.hpp"

extern "C" {
#include "access/xlog.h"
}

namespace mg::server {

void refuse_on_standby(const char *what) {
    bool recovering = false;
    pg_call([&] { recovering = RecoveryInProgress(); });
    if (!recovering) return;
    throw UserError(ERRCODE_READ_ONLY_SQL_TRANSACTION,
                    std::string("this server is a standby (in recovery): ") + what + " writes to the guard's tables, which only the primary can",
                    "Nothing was changed.", "Run it on the primary; what it writes reaches this standby by replication.");
}

}  // namespace mg::server
