# Xentree API — the commands. `make run` serves with the embedded SQLite default;
# `make test` runs the whole suite (PostgreSQL too when XENTREE_TEST_DATABASE_URL is set).
GO      ?= go
TOOLS   := $(GO) tool -modfile=tools/go.mod
REDOCLY := tools/node_modules/.bin/redocly

.PHONY: run test test-race test-postgres generate check drift lint vet bench build clean

run:
	$(GO) run ./cmd/xentree

test:
	$(GO) test -count=1 -timeout 20m ./...

# The suite under the race detector (needs cgo: a C compiler).
test-race:
	$(GO) test -race -count=1 -timeout 20m ./...

# The suite against the local PostgreSQL (127.0.0.1:5432, database test), as CI runs it.
test-postgres:
	XENTREE_TEST_DATABASE_URL=$${XENTREE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} \
	XENTREE_TEST_REQUIRE_POSTGRES=1 $(GO) test -count=1 -timeout 20m ./...

build:
	$(GO) build -o bin/xentree ./cmd/xentree

# gen/ is 100% generated from openapi.yaml with the pinned oapi-codegen of tools/go.mod.
generate:
	$(TOOLS) oapi-codegen -config oapi-config.yaml openapi.yaml

# check fails when gen/ drifts from openapi.yaml, the spec does not lint, go.mod is not tidy,
# or vet or gofmt complain.
check: drift lint vet

drift:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	sed "s#^output:.*#output: $$tmp/api.gen.go#" oapi-config.yaml > $$tmp/config.yaml && \
	$(TOOLS) oapi-codegen -config $$tmp/config.yaml openapi.yaml && \
	if ! diff -q $$tmp/api.gen.go gen/api.gen.go >/dev/null || [ "$$(ls gen)" != "api.gen.go" ]; then \
	  echo "gen/ differs from what 'make generate' makes of openapi.yaml: never edit gen/ by hand; run make generate and commit"; \
	  diff -u gen/api.gen.go $$tmp/api.gen.go | head -20; exit 1; \
	fi; echo "gen/ matches openapi.yaml"

$(REDOCLY): tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund
	@touch $@

lint: $(REDOCLY)
	$(REDOCLY) lint openapi.yaml

vet:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

bench:
	XENTREE_TEST_DATABASE_URL=$${XENTREE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable} \
	$(GO) test -run '^$$' -bench . -benchtime 3s ./server/

clean:
	rm -rf bin data
