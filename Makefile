# Companion's build. The README's two commands are `make run` and `make test`;
# the Dockerfile runs the same steps (keep them in step).

GO        ?= go
WASM_OUT  := web/app.wasm
BIN       := bin/companion
ADDR      ?= 127.0.0.1
PORT      ?= 8080
export ADDR PORT

.PHONY: run build web wasm test test-go test-browser e2e-production lint bench bench-web bench-booking bench-gp bench-capacity deps-run deps-test clean

## run: build everything and start Companion in sandbox mode on $(ADDR):$(PORT)
run: deps-run build
	./$(BIN)

## build: the server binary and every web asset
build: web $(BIN)

$(BIN): FORCE
	$(GO) build -trimpath -o $(BIN) ./cmd/companion

web: node_modules/.installed wasm
	$(GO) run ./cmd/webbuild -node-modules node_modules -web web

# app.wasm is replaced only when its bytes change, so the (slow) brotli step
# runs only when the app did.
wasm:
	@mkdir -p bin
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o bin/app.wasm.new ./cmd/pwa
	@if cmp -s bin/app.wasm.new $(WASM_OUT); then rm bin/app.wasm.new; else mv bin/app.wasm.new $(WASM_OUT); fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

browser/node_modules/.installed: browser/package.json browser/package-lock.json
	cd browser && npm ci --no-audit --no-fund
	@touch $@

# The Go and browser suites both run the one server binary `build` made, and
# record their tests' durations in $(TIMES) for the slowest-ten list.
TIMES        := bin/test-times
NODE_TESTDEPS := auth/oidctest/op/node_modules/.installed server/fhir/validate/node_modules/.installed server/booking/icalcheck/node_modules/.installed server/notify/pushcheck/node_modules/.installed server/web/htmlcheck/node_modules/.installed server/gp/fhir/fhirtest/medplum/node_modules/.installed browser/node_modules/.installed
GO_TEST      = COMPANION_BIN=$(CURDIR)/$(BIN) $(GO) run ./cmd/testtimes -out $(TIMES)/go.tsv -- -race -count=1 ./...
# The stores that must work on Redis Cluster run again on one (three masters,
# three replicas, started by the tests: internal/redistest).
CLUSTER_PKGS := ./auth/session ./server/flags ./server/admission ./server/coalesce ./server/reqstate ./server/keep ./server/prefs ./server/audit ./server/gp/sandbox ./server/consult ./server/booking
# Of the server package, the races (bookings, moves, holds, the waitlist),
# the contact journey and the outage and sign-in paths run on a cluster too.
CLUSTER_SERVER_RUN := TestTwoProcessesNeverDoubleBook|TestTwoProcessesRescheduleAtomically|TestWaitlistOffersInOrderOneAtATime|TestSlotHoldsThroughTheAPI|TestConcurrentOrdersOfOneMedicineMakeOneRequest|TestBookRetryCancel|TestContact|TestRealProviderExpiredState|TestPrescriptionNewsStaysOnHomeUntilRead|TestGPSystemOutageIsASafetyEvent
GO_TEST_CLUSTER = REDISTEST_CLUSTER=1 $(GO) run ./cmd/testtimes -out $(TIMES)/go-cluster.tsv -- -race -count=1 $(CLUSTER_PKGS) && \
	REDISTEST_CLUSTER=1 $(GO) run ./cmd/testtimes -out $(TIMES)/go-cluster-server.tsv -- -race -count=1 \
	-run '$(CLUSTER_SERVER_RUN)' ./server
# Browser test files run $(BROWSER_JOBS) at a time, each with its own server.
BROWSER_JOBS ?= 3
BROWSER_TEST = cd browser && COMPANION_BIN=$(CURDIR)/$(BIN) BROWSER_JOBS=$(BROWSER_JOBS) npm test --silent

## test: the whole suite — lint, unit and integration (real redis-server), browser (Debian chromium), then the slowest ten tests and the hazard log's evidence (every test it names passed)
test: deps-test build lint $(NODE_TESTDEPS)
	@rm -rf $(TIMES) && mkdir -p $(TIMES)
	@status=0; \
	  $(GO_TEST) || status=1; \
	  $(GO_TEST_CLUSTER) || status=1; \
	  ($(BROWSER_TEST)) || status=1; \
	  $(GO) run ./cmd/testtimes -slowest 10 $(TIMES)/go.tsv $(TIMES)/browser.tsv; \
	  $(GO) run ./cmd/hazardlog -passed $(TIMES)/go.tsv $(TIMES)/browser.tsv || status=1; \
	  exit $$status

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./cmd/pwa ./app/... ./i18n/...

## test-go: the Go tests alone
test-go: $(BIN) auth/oidctest/op/node_modules/.installed server/fhir/validate/node_modules/.installed server/booking/icalcheck/node_modules/.installed server/notify/pushcheck/node_modules/.installed server/web/htmlcheck/node_modules/.installed server/gp/fhir/fhirtest/medplum/node_modules/.installed
	@mkdir -p $(TIMES)
	$(GO_TEST)
	$(GO_TEST_CLUSTER)

# The real OpenID Provider (oidc-provider) the sign-in integration tests run.
auth/oidctest/op/node_modules/.installed: auth/oidctest/op/package.json auth/oidctest/op/package-lock.json
	cd auth/oidctest/op && npm ci --no-audit --no-fund
	@touch $@

# The real FHIR R4 server (Medplum's engine) the FHIR adapter's tests run.
server/gp/fhir/fhirtest/medplum/node_modules/.installed: server/gp/fhir/fhirtest/medplum/package.json server/gp/fhir/fhirtest/medplum/package-lock.json
	cd server/gp/fhir/fhirtest/medplum && npm ci --no-audit --no-fund
	@touch $@

# The independent FHIR R4 validator (the fhir package) the export's tests run.
# ical.js, one of the independent parsers the calendar files' tests run
# (python-icalendar, Debian's, is the other).
server/booking/icalcheck/node_modules/.installed: server/booking/icalcheck/package.json server/booking/icalcheck/package-lock.json
	cd server/booking/icalcheck && npm ci --no-audit --no-fund
	@touch $@

# http_ece, the independent RFC 8291 implementation that decrypts the Web
# Push messages Companion sends (the VAPID signature is checked with Node's
# own crypto).
server/notify/pushcheck/node_modules/.installed: server/notify/pushcheck/package.json server/notify/pushcheck/package-lock.json
	cd server/notify/pushcheck && npm ci --no-audit --no-fund
	@touch $@

# The Nu Html Checker (vnu.jar, run on Debian's Java), the independent
# validator of every page's HTML.
server/web/htmlcheck/node_modules/.installed: server/web/htmlcheck/package.json server/web/htmlcheck/package-lock.json
	cd server/web/htmlcheck && npm ci --no-audit --no-fund
	@touch $@

server/fhir/validate/node_modules/.installed: server/fhir/validate/package.json server/fhir/validate/package-lock.json
	cd server/fhir/validate && npm ci --no-audit --no-fund
	@touch $@

## e2e-production: Companion in production mode (https, PATIENT_ID_KEY, GP_SYSTEM=fhir over mutual TLS, NHS login and CIS2 as real OpenID Providers, a private redis-server; no sandbox part) driven through a whole journey, one line per step (make test runs it with the Go tests)
e2e-production: deps-test $(BIN) auth/oidctest/op/node_modules/.installed server/gp/fhir/fhirtest/medplum/node_modules/.installed
	$(GO) test -c -o bin/e2e-production.test ./cmd/companion
	cd cmd/companion && COMPANION_BIN=$(CURDIR)/$(BIN) $(CURDIR)/bin/e2e-production.test -test.run '^TestProductionJourney$$'

## test-browser: the browser tests alone
test-browser: build browser/node_modules/.installed
	@mkdir -p $(TIMES)
	$(BROWSER_TEST)

## bench-web: Lighthouse (mobile) on Companion beside a go-app hello world built in the same run
bench-web: deps-test build bench/web/node_modules/.installed browser/node_modules/.installed
	cd bench/web && node bench-web.mjs

bench/web/node_modules/.installed: bench/web/package.json bench/web/package-lock.json
	cd bench/web && npm ci --no-audit --no-fund
	@touch $@

## bench: signed-in /api/v1/me, home and appointments pages at 64 and 256 connections against a real redis-server, beside a bare-handler floor
bench: deps-test build
	$(GO) run ./cmd/benchauth

## bench-booking: 5,000 signed-in patients race for 300 slots across 2 server processes on one redis-server, beside a bare-handler baseline
bench-booking: deps-test build
	$(GO) run ./cmd/loadbook -bin $(BIN)

## bench-capacity: Redis commands, PostgreSQL statements and CPU per request type; 4 processes against 1 on one Redis Cluster; the audit trail's write ceiling (docs/capacity.md)
bench-capacity: deps-test build
	$(GO) run ./cmd/capacity -bin $(BIN)

## bench-gp: each GP-system operation on the FHIR adapter (against the Medplum test server) beside the sandbox adapter, in one run
bench-gp: deps-test server/gp/fhir/fhirtest/medplum/node_modules/.installed
	$(GO) test -run '^$$' -bench BenchmarkAdapters -benchtime 2s ./server/gp/fhir/

deps-run:
	@tools/install-deps.sh run

deps-test:
	@tools/install-deps.sh test

clean:
	rm -rf bin web/app.wasm* web/wasm_exec.js* web/css web/nhsuk web/*.br web/*.gz web/icons/*.br web/icons/*.gz node_modules browser/node_modules browser/screenshots bench/web/node_modules auth/oidctest/op/node_modules server/fhir/validate/node_modules server/booking/icalcheck/node_modules server/notify/pushcheck/node_modules server/web/htmlcheck/node_modules server/gp/fhir/fhirtest/medplum/node_modules

FORCE:
