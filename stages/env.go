package stages

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/pipeline"
)

// Stage code versions: part of every key of that stage. Bump one when the
// stage's outputs change for the same inputs.
const (
	prepVersion = 1
	// train 3: the run's name in the key and the checkpoints out of it;
	// only the last epoch's weights (the others are in its states).
	trainVersion    = 3
	evaluateVersion = 2
	stateVersion    = 1
	// correlate 5: sweep tables with axis columns and layer_width; the
	// analysis, figures and results README computed once, here (the plot
	// stage is gone). 6: one-at-a-time levels (tables/one_at_a_time,
	// figure 9), the model legend naming goodness over labels. 7: the
	// coupling analysis (surrogates, timescales, ceilings from the
	// split-half probe), figure 10, the revised verdicts. 8: one delay
	// analysis for both clocks (per-epoch e50/e90/e95 and context rows),
	// per-run surrogates per epoch, the overrides in the README. 9: figure
	// 8 of a one-at-a-time sweep names treatments by level. 10: curves
	// without the always-NaN seconds column; the README names the files
	// a results folder carries (experiment.toml, provenance, SCHEMA.md).
	// 11: the README notes treatments that share training (seeds and
	// first epochs). 12: figures at most 2,400 px tall, paged
	// (fig1_accuracy-1.png, …) and every page linked from the README;
	// levels told apart by glyph, dash and tone; values far off the scale
	// of figure 2 at its edge; upright category labels; no panels without
	// data; numbers inside text sorted as numbers. 13: one integer type
	// per concept (depth, width, layer, layer_width, epoch and step are
	// int32 in the analysis tables, as in the sweep tables), one name per
	// axis (the epochs axis is epochs in every table; the correlation's
	// count of epochs in layer_model_correlations is points), one
	// meaning per column name (the delays tables' start, a layer's first
	// accuracy, is start_accuracy; start is a correlation's first epoch
	// or step). 14: figures 2 and 5 add a full-scale inset where a mean
	// is set apart at the edge, and figure 5 sets such means apart.
	correlateVersion = 14
)

// Stage names, in pipeline order.
const (
	Prep      = "prep"
	Train     = "train"
	Evaluate  = "evaluate"
	Correlate = "correlate"
	Publish   = "publish"
)

// Names lists the stages in pipeline order.
var Names = []string{Prep, Train, Evaluate, Correlate, Publish}

// numerics writes what changes floating-point results: the BLAS backend,
// OpenBLAS's kernel (its kernels round differently) and the Go toolchain.
// The kernel line exists only for OpenBLAS, so keys of the gonum backend are
// those of earlier versions.
//
// In portable arithmetic the lines describe the pinned computation, not
// this process: OpenBLAS, its Haswell kernel, amd64, then the mode and what
// it pins (backend.PortablePins). Those keys can be computed anywhere
// (status, gc); computing their outputs needs a process in portable
// arithmetic (requireArithmetic). The mode's lines exist only then, so
// keys of native runs are unchanged.
func numerics(h *pipeline.Hash, arithmetic string) {
	if arithmetic != backend.PortableMode {
		h.Param("blas", backend.Name())
		if k := blasKernel(); k != "" {
			h.Param("blas_kernel", k)
		}
		h.Param("go", runtime.Version())
		h.Param("arch", runtime.GOARCH)
		return
	}
	pins := backend.PortablePins()
	h.Param("blas", "openblas")
	for _, p := range pins {
		if p.Label == "blas_kernel" {
			h.Param(p.Label, p.Value)
		}
	}
	h.Param("go", runtime.Version())
	h.Param("arch", "amd64")
	h.Param("arithmetic", backend.PortableMode)
	for _, p := range pins {
		if p.Label != "blas_kernel" {
			h.Param(p.Label, p.Value)
		}
	}
}

// isPortable is backend.Portable; tests replace it.
var isPortable = backend.Portable

// requireArithmetic refuses to compute a job of the arithmetic mode in a
// process that is not in it: its outputs would carry other bits under the
// mode's key.
func requireArithmetic(arithmetic string) error {
	if arithmetic == backend.PortableMode && !isPortable() {
		return fmt.Errorf("portable arithmetic is not in force in this process: %s", portableRefusal())
	}
	return nil
}

// portableRefusal says why the process is not in portable arithmetic.
func portableRefusal() string {
	if err := backend.CheckPortable(backend.HostCPU(), backend.HostBuild()); err != nil {
		return err.Error()
	}
	return "enter it first (backend.EnsurePortable; ffchar does for --arithmetic portable)"
}

// portableInfo is what run.json and the published provenance record of
// portable arithmetic: its pins by label; nil in native arithmetic.
func portableInfo(arithmetic string) map[string]string {
	if arithmetic != backend.PortableMode {
		return nil
	}
	m := map[string]string{}
	for _, p := range backend.PortablePins() {
		m[p.Label] = p.Value
	}
	return m
}

// blasKernel names OpenBLAS's kernel in keys and cached outputs, in lower
// case (static builds report "HASWELL" for the kernel a DYNAMIC_ARCH build
// calls "Haswell"); "" for the gonum backend.
func blasKernel() string { return strings.ToLower(backend.Kernel()) }

// provenance is the key-value metadata written into a cached table: the
// lines of the job's own key (its parameters and what changes numbers).
// Nothing that varies between identical computations (time, host, source
// revision) goes in, so that verification can compare bytes; publish adds
// the source revision to the published copies.
func provenance(stage string, key func(*pipeline.Hash)) map[string]string {
	h := pipeline.NewHash(stage)
	if key != nil {
		key(h)
	}
	return map[string]string{
		"ffchar.stage": stage,
		"ffchar.key":   strings.Join(h.Lines(), "\n"),
	}
}
