# ffchar: the Forward-Forward characterisation pipeline.
#
#   make figures   train (or reuse) the quick profile and draw every figure
#   make test      the test suite, against every BLAS backend available here
#   make bench     engine benchmarks (samples/s, GFLOP/s)
#
# OpenBLAS is used when pkg-config finds it (Debian: libopenblas-dev);
# otherwise everything runs on gonum's pure-Go BLAS. Force one with
# `make BACKEND=gonum ...` or `make BACKEND=openblas ...`.

GO      ?= go
BIN     := bin/ffchar
PROFILE ?= quick

ifeq ($(origin BACKEND), undefined)
BACKEND := $(shell pkg-config --exists openblas 2>/dev/null && echo openblas || echo gonum)
endif
TAGS := $(if $(filter openblas,$(BACKEND)),openblas,)

.PHONY: all build test test-gonum test-openblas figures reproduce bench clean

all: build

build:
	$(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/ffchar

# The suite runs once per backend: results are only bit-identical within one.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
ifeq ($(BACKEND),openblas)
	$(GO) test -count=1 -tags openblas ./...
endif

figures: build
	$(BIN) run --profile $(PROFILE)

reproduce: build
	$(BIN) run --profile $(PROFILE)

bench:
	$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchtime 3x ./ff/ ./backend/

clean:
	rm -rf bin .ffchar-cache
