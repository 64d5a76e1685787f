# Xentree API — the commands. `make run` serves with the embedded SQLite default;
# `make test` runs the whole suite (PostgreSQL too when XENTREE_TEST_DATABASE_URL is set).
GO      ?= go
TOOLS   := $(GO) tool -modfile=tools/go.mod
# Redocly CLI: no telemetry, no update check.
REDOCLY_BIN := tools/node_modules/.bin/redocly
REDOCLY := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY_BIN)
SDK_TS  := sdk/typescript
TS_DEPS := $(SDK_TS)/node_modules/.package-lock.json
OPENAPI_TS := $(SDK_TS)/node_modules/.bin/openapi-typescript

.PHONY: run test fuzz fuzz-short test-race test-postgres test-deps test-deps-ci sdk-typescript chromium generate check drift lint vet breaking release-spec bench bench-go build clean

run:
	@echo "Compiling the server (the first build takes a few minutes while Go fetches and compiles its modules; later builds take seconds)..."
	@$(GO) build -o bin/xentree ./cmd/xentree
	./bin/xentree

# The whole suite: the server module, then the Go SDK module. Test groups that cannot run here
# (PostgreSQL without XENTREE_TEST_DATABASE_URL, the TypeScript SDK without node, the explorer
# without chromium) are skipped, and listed at the end.
GOTEST = skips=$$(mktemp); trap 'rm -f $$skips' EXIT; \
	XENTREE_TEST_SKIPS=$$skips $(GO) test -count=1 -timeout 20m $(1) ./... && (cd sdk/go && $(GO) test -count=1 $(1) ./...); \
	status=$$?; if [ -s $$skips ]; then echo; echo "NOT RUN (skipped):"; sort -u $$skips | sed 's/^/  /'; fi; exit $$status

test: test-deps
	@$(call GOTEST,)
	@$(MAKE) --no-print-directory fuzz-short

# Fuzz targets as package:Name (docs/testing.md says what each asserts). `make test` runs their
# seed corpora as ordinary tests, then fuzz-short runs each briefly; `make fuzz` runs each for
# FUZZTIME. Inputs that fail are written to the package's testdata/fuzz/<Name>/: commit them
# with the fix, they then run in every `make test`.
FUZZ_TARGETS := \
	./internal/search:FuzzTerms ./internal/search:FuzzFTS5Query ./internal/search:FuzzSnippet \
	./internal/chunk:FuzzSplit \
	./server:FuzzLogin ./server:FuzzAPIKeyHeader ./server:FuzzBearerHeader ./server:FuzzBearerClaims \
	./server:FuzzSearchQuery ./server:FuzzTranscript ./server:FuzzDocumentUpload ./server:FuzzUploadBody
FUZZTIME ?= 30s

# Each package's instrumented test binary is built once (go test would link it again for every
# target) and run in the package's folder with go test's corpus cache.
fuzz:
	@set -e; cache=$$($(GO) env GOCACHE)/fuzz; built=" "; mkdir -p bin/fuzz; \
	for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  bin=$(CURDIR)/bin/fuzz/$$(echo $${pkg#./} | tr / _).test; \
	  case "$$built" in *" $$pkg "*) ;; *) $(GO) test -c -fuzz . -o $$bin $$pkg; built="$$built$$pkg ";; esac; \
	  dir=$$cache/$$($(GO) list $$pkg); echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
	  (cd $$pkg && $$bin -test.run '^$$' -test.fuzz "^$$name\$$" -test.fuzztime $(FUZZTIME) -test.fuzzcachedir $$dir); \
	done

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2s

# The suite under the race detector (needs cgo: a C compiler).
test-race: test-deps
	@$(call GOTEST,-race)

# The suite against the local PostgreSQL (127.0.0.1:5432, database test), as CI runs it.
test-postgres: test-deps
	@export XENTREE_TEST_DATABASE_URL=$${XENTREE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} \
	XENTREE_TEST_REQUIRE_POSTGRES=1; $(call GOTEST,)

# What the client tests need and a developer's machine may lack: the TypeScript SDK's packages
# (installed when npm is there). The browser is installed by `make chromium` (root, apt-get).
test-deps:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(TS_DEPS); \
	else echo "npm not found: the TypeScript SDK tests will be skipped"; fi

# CI installs everything the client tests need; they then fail rather than skip.
test-deps-ci: sdk-typescript chromium

sdk-typescript: $(TS_DEPS)

$(TS_DEPS): $(SDK_TS)/package.json $(SDK_TS)/package-lock.json
	npm ci --prefix $(SDK_TS) --no-audit --no-fund
	@touch $@

# Debian's chromium for the explorer test (server/explorer_test.go); needs root.
chromium:
	@command -v chromium >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }
	@chromium --version

build:
	@echo "Compiling bin/xentree..."
	$(GO) build -o bin/xentree ./cmd/xentree
	@echo "Built bin/xentree: run it with ./bin/xentree (settings in README.md)"

# Generated from openapi.yaml, never edited: gen/ (server, pinned oapi-codegen of
# tools/go.mod), sdk/go/client.gen.go (Go SDK) and sdk/typescript/src/schema.ts (TypeScript SDK,
# pinned openapi-typescript of its package.json).
GENERATED := gen/api.gen.go sdk/go/client.gen.go $(SDK_TS)/src/schema.ts

generate: $(TS_DEPS)
	$(TOOLS) oapi-codegen -config oapi-config.yaml openapi.yaml
	$(TOOLS) oapi-codegen -config sdk/go/oapi-config.yaml openapi.yaml
	$(OPENAPI_TS) openapi.yaml --output $(SDK_TS)/src/schema.ts

# check fails when generated code drifts from openapi.yaml, the spec does not lint or breaks
# the released one, go.mod is not tidy, or vet or gofmt complain.
check: drift lint vet breaking

drift: $(TS_DEPS)
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; set -e; \
	for cfg in oapi-config.yaml sdk/go/oapi-config.yaml; do \
	  out=$$(sed -n 's/^output: *//p' $$cfg); mkdir -p $$tmp/$$(dirname $$out); \
	  sed "s#^output:.*#output: $$tmp/$$out#" $$cfg > $$tmp/config.yaml; \
	  $(TOOLS) oapi-codegen -config $$tmp/config.yaml openapi.yaml; \
	done; \
	mkdir -p $$tmp/$(SDK_TS)/src; $(OPENAPI_TS) openapi.yaml --output $$tmp/$(SDK_TS)/src/schema.ts >/dev/null 2>&1; \
	fail=0; for f in $(GENERATED); do \
	  if ! diff -q $$f $$tmp/$$f >/dev/null; then \
	    echo "$$f differs from what 'make generate' makes of openapi.yaml: never edit it by hand; run make generate and commit"; \
	    diff -u $$f $$tmp/$$f | head -20; fail=1; \
	  fi; \
	done; \
	if [ "$$(ls gen)" != "api.gen.go" ]; then echo "gen/ must hold api.gen.go only"; fail=1; fi; \
	[ $$fail = 0 ] && echo "generated code matches openapi.yaml"

$(REDOCLY_BIN): tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund
	@touch $@

lint: $(REDOCLY_BIN)
	$(REDOCLY) lint openapi.yaml

vet:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	cd sdk/go && $(GO) mod tidy -diff && $(GO) vet ./...
	@if (cd sdk/go && $(GO) list -deps ./...) | grep -E '^(github.com/labstack|github.com/getkin|golang.org/x/crypto|gorm.io)/'; then \
	  echo "sdk/go must not depend on the server's modules"; exit 1; fi
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# The breaking-change guard: openapi.yaml against the last released contract. A release copies
# the spec there (make release-spec) and commits it; a deliberate break needs a new major version.
breaking:
	$(TOOLS) oasdiff breaking --fail-on ERR api/released/openapi.yaml openapi.yaml
	@echo "no breaking change against api/released/openapi.yaml"

release-spec:
	cp openapi.yaml api/released/openapi.yaml
	@echo "api/released/openapi.yaml is now version $$(sed -n 's/^  version: *//p' openapi.yaml): commit it with the release"

# The load harness (docs/performance.md): bin/xentree as a separate process on PostgreSQL (a
# database xentree_bench it creates and drops beside XENTREE_TEST_DATABASE_URL's) and on SQLite,
# a realistic data set, vegeta over the hot routes, the bench/ baselines in the same run; writes
# the generated section of docs/performance.md. About 10 minutes. BENCH_FLAGS passes flags to
# bench/run (e.g. BENCH_FLAGS='-dbs postgres -only "auth/me|PK" -duration 2s').

bench:
	$(GO) build -o bin/xentree ./cmd/xentree
	$(GO) build -o bin/baseline-echo ./bench/baseline-echo
	$(GO) build -o bin/baseline-pk ./bench/baseline-pk
	$(GO) build -o bin/baseline-list ./bench/baseline-list
	$(GO) build -o bin/bench-run ./bench/run
	XENTREE_TEST_DATABASE_URL=$${XENTREE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} \
	./bin/bench-run -bin bin -out docs/performance.md $(BENCH_FLAGS)

# The in-process benchmarks (go test -bench over server/, through the whole stack without HTTP).
bench-go:
	XENTREE_TEST_DATABASE_URL=$${XENTREE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} \
	$(GO) test -run '^$$' -bench . -benchtime 3s ./server/

clean:
	rm -rf bin data
