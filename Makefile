# ffchar: the Forward-Forward characterisation pipeline.
#
#   make figures   redraw every published experiment's figures and tables
#                  (or run PROFILE=quick's pipeline when nothing is published)
#   make reproduce run a profile's whole pipeline, e.g. PROFILE=paper
#                  Both write into results/ (ffchar run --results results):
#                  these targets are how the committed results are remade,
#                  whereas a plain `ffchar run` leaves results/ alone.
#   make test      the test suite, against every BLAS backend available here;
#                  with OpenBLAS it includes the golden digests of portable
#                  arithmetic (internal/golden; regenerate deliberately with
#                  go test -tags openblas ./internal/golden -update)
#   make bench     engine benchmarks (samples/s, GFLOP/s), after the BLAS
#                  library and kernel they ran with; ARITHMETIC=portable runs
#                  them with the kernel portable arithmetic pins (Haswell)
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

.PHONY: all build test figures reproduce bench clean

all: build

build:
	$(GO) build -buildvcs=auto -tags '$(TAGS)' -o $(BIN) ./cmd/ffchar

# The suite runs once per backend: results are only bit-identical within one.
# The command-line tests train small runs in subprocesses (about a minute
# and a half on an idle 2-core machine); beside a CPU hog they take several
# times that, so the per-package limit is 30 minutes, not go test's 10.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...
ifeq ($(BACKEND),openblas)
	$(GO) test -count=1 -timeout 30m -tags openblas ./...
endif

# Redraw every published experiment (results/*/data) from its sweep tables:
# seconds, no training. With nothing published, or for a PROFILE given on the
# command line whose tables are not published, run that profile's pipeline
# (reusing the cache).
PUBLISHED := $(patsubst results/%/data/curves.parquet,%,$(wildcard results/*/data/curves.parquet))
ifeq ($(origin PROFILE),command line)
DRAW := $(PROFILE)
else
DRAW := $(or $(PUBLISHED),$(PROFILE))
endif

figures: build
	@for p in $(DRAW); do \
		if [ -f results/$$p/data/curves.parquet ]; then \
			echo "redrawing results/$$p from its published sweep tables"; \
			$(BIN) redraw --profile $$p || exit 1; \
		else \
			$(BIN) run --profile $$p --results results || exit 1; \
		fi; \
	done

# Always run the pipeline (cached runs are reused), e.g. PROFILE=paper, and
# publish into results/.
reproduce: build
	$(BIN) run --profile $(PROFILE) --results results

# The BLAS library and kernel first: every rate depends on them.
ARITHMETIC ?= native
BENCHENV := $(if $(filter portable,$(ARITHMETIC)),OPENBLAS_CORETYPE=Haswell,)
bench: build
	@$(BENCHENV) $(BIN) --version
	$(BENCHENV) $(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchtime 3x ./ff/ ./backend/

clean:
	rm -rf bin .ffchar-cache
