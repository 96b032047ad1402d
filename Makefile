# Athos Token Tray. 'make run' starts the tray, 'make test' runs every test.
# Both install the Debian packages they need first (scripts/install-deps.sh).

BIN     := bin/athos-tray
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/athos-tray/athos-tray/cli.Version=$(VERSION)

# Fyne logs an error when LANG is C.
export LANG := en_US.UTF-8

.PHONY: all build build-windows run test unit fuzz e2e vet bench clean deps-build deps-run deps-test deps-windows

all: build

deps-build deps-run deps-test deps-windows: deps-%:
	@scripts/install-deps.sh $*

build: deps-build
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

# Cross-compiles bin/athos-tray.exe with mingw-w64. It is a console
# program, so the command line prints to its console.
build-windows: deps-windows
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN).exe .

# Runs the tray for the active profile, or on the built-in sandbox while no
# profile is configured.
run: deps-run build
	@if [ -n "$$($(BIN) profile list 2>/dev/null)" ]; then \
		echo "Starting the tray for the active profile ($(BIN) profile list shows them)."; \
		exec $(BIN) tray; \
	else \
		echo "No profile configured: starting the tray on the built-in sandbox."; \
		echo "Add a real profile with Add Athos credentials… in the tray menu, or: $(BIN) profile add NAME --client-id ID"; \
		exec $(BIN) tray --sandbox; \
	fi

test: deps-test vet unit fuzz e2e

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e

unit:
	$(GO) test -race -count=1 ./...

# Runs every Fuzz function of FUZZ_PACKAGES for FUZZTIME each, because
# 'go test -fuzz' takes one package and one target per run. The seed
# corpora in testdata/fuzz also run as plain tests in 'make unit'.
FUZZ_PACKAGES ?= ./auth
FUZZTIME      ?= 10s

fuzz:
	@for pkg in $(FUZZ_PACKAGES); do \
		targets=$$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz') || { echo "no fuzz targets in $$pkg"; exit 1; }; \
		for target in $$targets; do \
			echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

# The end-to-end tests run the real binary in a private desktop session:
# Xvfb, a D-Bus session bus and an unlocked gnome-keyring.
e2e:
	scripts/desktop-session.sh $(GO) test -tags e2e -count=1 -v ./e2e

# Compares the tray's idle cost with the reference trays under bench/ in a
# private desktop session and writes BENCHMARKS.md. BENCH_IDLE=10s
# BENCH_RUNS=1 make bench is a quick try that only prints the table.
bench: deps-test build
	GO=$(GO) scripts/bench.sh

clean:
	rm -rf bin
