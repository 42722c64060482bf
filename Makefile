# migration_guard: CMake builds; PGXS knows where PostgreSQL wants things installed and runs
# pg_regress. The two commands of the README:
#   make demo   set everything up and show the guard at work on a throwaway cluster
#   make test   run every test (unit, pg_regress, CLI, parity)

EXTENSION    = migration_guard
DATA         = $(wildcard extension/migration_guard--*.sql)
REGRESS      = classify_rules parity classify_catalog classify_errors audit \
               enforce_block enforce_paths enforce_cascade enforce_modes approvals enforce_bypass \
               data_risk dry_run guard_hardening reach_event_triggers audit_privileges verify \
               catalog_caches approve_migration approval_requests drop_at_stake migration_ids ignore_comment type_change_rewrite \
               judge_as_owner judged_by_relkind guard_out_of_reach
REGRESS_OPTS = --load-extension=migration_guard
# Suites that need their own server configuration (scripts/run-regress.sh runs them).
REGRESS_PRELOAD = preload_guard audit_preload reach_attacks audit_global lock_wait recycle_bin recycle_bin_inert undo_sql data_changes
REGRESS_LOCKED  = locked_settings
# Isolation specs that need the guard preloaded (scripts/run-isolation.sh).
ISOLATION_PRELOAD = lock_wait catalog_caches bin_concurrency

PG_CONFIG ?= /usr/lib/postgresql/15/bin/pg_config
BUILD_DIR ?= build
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# PGXS exists only once postgresql-server-dev-15 is installed; `make demo` and `make test`
# install it first and then call make again.
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)

install: install-module
install-module: cmake-build installdirs
	$(MKDIR_P) '$(DESTDIR)$(pkglibdir)'
	$(INSTALL_SHLIB) $(BUILD_DIR)/migration_guard.so '$(DESTDIR)$(pkglibdir)/migration_guard.so'
uninstall: uninstall-module
uninstall-module:
	rm -f '$(DESTDIR)$(pkglibdir)/migration_guard.so'
all: cmake-build
endif

.PHONY: deps cmake-build demo test fuzz dist deb test-unit test-regress test-cli test-parity install-module uninstall-module

deps:
	./scripts/install-deps.sh

# Another major: make install PG_CONFIG=<its pg_config> BUILD_DIR=build-pgNN CMAKE_ARGS=-DMG_BUILD_TESTS=OFF CMAKE_TARGET=migration_guard
CMAKE_ARGS ?=
CMAKE_TARGET ?= all
cmake-build:
	cmake -S . -B $(BUILD_DIR) -DPG_CONFIG=$(PG_CONFIG) $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD_DIR) -j2 --target $(CMAKE_TARGET)

demo: deps
	$(MAKE) install
	./scripts/demo.sh

test: deps
	$(MAKE) install
	./scripts/run-tests.sh

# The CLI as a tarball (binary, man page, completions), checked in a chroot without build tools.
dist: deps cmake-build
	./scripts/dist.sh

# Debian packages (debian/, pg_buildext) into dist/.
deb: deps
	./scripts/deb.sh

# The libFuzzer target over the lint path, for FUZZ_SECONDS (make test runs it briefly).
FUZZ_SECONDS ?= 180
fuzz: deps
	./fuzz/run.sh $(FUZZ_SECONDS)

# pg_regress's parity test reads the shared corpus as a table.
sql/parity_cases.tsv: $(wildcard test/corpus/*.sql) scripts/gen-parity.py
	python3 scripts/gen-parity.py $@
installcheck: sql/parity_cases.tsv

# scripts/run-regress.sh reads the test lists from here.
print-%:
	@echo $($*)
