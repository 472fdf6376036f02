# CRM API: `make run` starts a development server with demo data,
# `make test` runs every test in a throw-away cluster. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := build

CC       ?= gcc
# Kore's feature flags (struct layout depends on them). Read when a recipe
# runs, never when the Makefile is parsed: on a fresh machine `deps` installs
# kore first, so a value taken at parse time would be empty.
KORE_FEATURES := /usr/share/kore/features
FEATURES  = $(shell cat $(KORE_FEATURES))
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
            -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations \
            -Wformat=2 -Wsign-compare -Wno-missing-field-initializers
OPT      ?= -O2 -g
CFLAGS_APP = -std=gnu11 -fPIC $(OPT) $(WARN) $(FEATURES) $(EXTRA_CFLAGS)
LIBS     := -ljansson -ljwt -largon2 -lcrypto -lpq

LIB_SRC  := $(wildcard src/lib/*.c)
APP_SRC  := $(wildcard src/*.c src/http/*.c src/db/*.c src/resources/*.c)
HEADERS  := $(wildcard src/*.h src/*/*.h)

BUILD    ?= build
MODULE   := $(BUILD)/crm.so

# Operation tables leave trailing members out on purpose (zero = unused),
# hence -Wno-missing-field-initializers.

# Debian packages the build, the server and the tests need.
PACKAGES := kore libjansson-dev libjwt-dev libargon2-dev libpq-dev libssl-dev \
            postgresql-15 postgresql-contrib postgresql-15-pgtap \
            libtap-parser-sourcehandler-pgtap-perl gcc make curl git \
            python3 python3-pytest python3-requests python3-jsonschema \
            python3-yaml nodejs npm clang libclang-rt-14-dev

export CRM_VAR ?= $(CURDIR)/var

.PHONY: build deps run stop test unit fuzz sanitize fmt fmt-check lint-spec clean \
        bench db-shell fresh-check

deps:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    command -v npm >/dev/null && missing=$$(echo $$missing | tr ' ' '\n' | grep -vx 'nodejs\|npm'); \
	    echo "installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: $(MODULE) $(BUILD)/crm-passwd $(BUILD)/openapi.json

$(MODULE): $(LIB_SRC) $(APP_SRC) $(HEADERS) Makefile
	@test -r $(KORE_FEATURES) || { echo "kore is not installed (make deps installs it)" >&2; exit 1; }
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_APP) -shared -o $@ $(LIB_SRC) $(APP_SRC) $(LIBS)

$(BUILD)/crm-passwd: src/tools/crm-passwd.c $(LIB_SRC) $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) -std=gnu11 $(OPT) $(WARN) -Isrc/lib $(EXTRA_CFLAGS) -o $@ $< $(LIB_SRC) $(LIBS)

$(BUILD)/openapi.json: api-spec/openapi.yaml
	@mkdir -p $(BUILD)
	/usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2],"w"), separators=(",",":"))' $< $@

# deps runs before the build starts, also under -j: the build is a sub-make.
run: deps
	@$(MAKE) --no-print-directory build
	@bash scripts/dev.sh start

stop:
	@bash scripts/dev.sh stop

db-shell:
	@bash scripts/dev.sh psql

test: deps
	@$(MAKE) --no-print-directory build
	@bash scripts/test.sh

unit:
	@bash tests/unit/run.sh

# libFuzzer on every parser; FUZZ_SECONDS each (make test runs a short round).
fuzz:
	@bash tests/fuzz/run.sh

# API tests against a build with AddressSanitizer and UBSan.
sanitize: deps
	$(MAKE) BUILD=build/san OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" build
	UNIT_CFLAGS="-fsanitize=address,undefined" bash tests/unit/run.sh
	CRM_SANITIZE=1 CRM_MODULE=$(CURDIR)/build/san/crm.so bash scripts/test.sh

fmt:
	clang-format -i $(LIB_SRC) $(APP_SRC) $(HEADERS) src/tools/*.c tests/unit/*.c tests/unit/*.h

fmt-check:
	clang-format --dry-run --Werror $(LIB_SRC) $(APP_SRC) $(HEADERS) src/tools/*.c tests/unit/*.c tests/unit/*.h

lint-spec:
	@bash scripts/lint-spec.sh

# Load benchmark: an optimised build of its own (build/bench), a generated
# 1M-contact dataset, wrk and pgbench; results in bench/results/.
bench: deps
	$(MAKE) BUILD=build/bench build
	CRM_MODULE=$(CURDIR)/build/bench/crm.so bash bench/run.sh

# A clean Debian bookworm root, a clean clone and a first `make test` in it
# (FRESH_TARGET=run for `make run`); prints each phase's time. Needs root.
fresh-check:
	@bash scripts/fresh-check.sh

clean:
	rm -rf build
