# CRM API: `make run` starts a development server with demo data,
# `make test` runs every test in a throw-away cluster. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := build

CC       ?= gcc
FEATURES := $(shell cat /usr/share/kore/features 2>/dev/null)
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
            libtap-parser-sourcehandler-pgtap-perl gcc make curl \
            python3 python3-pytest python3-requests python3-jsonschema \
            python3-yaml nodejs npm clang libclang-rt-14-dev

export CRM_VAR ?= $(CURDIR)/var

.PHONY: build deps run stop test unit fuzz sanitize fmt fmt-check lint-spec clean \
        bench db-shell

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
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_APP) -shared -o $@ $(LIB_SRC) $(APP_SRC) $(LIBS)

$(BUILD)/crm-passwd: src/tools/crm-passwd.c $(LIB_SRC) $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) -std=gnu11 $(OPT) $(WARN) -Isrc/lib $(EXTRA_CFLAGS) -o $@ $< $(LIB_SRC) $(LIBS)

$(BUILD)/openapi.json: api-spec/openapi.yaml
	@mkdir -p $(BUILD)
	/usr/bin/python3 -c 'import json,sys,yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2],"w"), separators=(",",":"))' $< $@

run: deps build
	@bash scripts/dev.sh start

stop:
	@bash scripts/dev.sh stop

db-shell:
	@bash scripts/dev.sh psql

test: deps build
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

clean:
	rm -rf build
