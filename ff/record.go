package ff

import (
	"fmt"
	"math"
)

// StepSchedule says after which optimizer steps a run is measured. Step 0
// is the untrained network. The schedule is dense at the start, where the
// first hundreds of steps decide how layers diverge, and regular after:
// step 0, the steps round(√2^k) below Every (1, 2, 3, 4, 6, 8, 11, 16, 23,
// 32, …),
// every multiple of Every, and the last step of every epoch.
type StepSchedule struct {
	// Every is the spacing of the regular part, in optimizer steps (≥ 1).
	Every int
}

// DefaultStepSchedule records every 20 steps after the dense start: 34
// points in a 500-step epoch (0 and 500 included).
var DefaultStepSchedule = StepSchedule{Every: 20}

// Has reports whether step is on the schedule (the ends of epochs are
// added by the training loop, which knows them).
func (s StepSchedule) Has(step int) bool {
	if step < 0 {
		return false
	}
	if step == 0 || step%s.Every == 0 {
		return true
	}
	if step >= s.Every {
		return false
	}
	for p := 1.0; ; p *= math.Sqrt2 {
		v := int(math.Round(p))
		if v == step {
			return true
		}
		if v > step {
			return false
		}
	}
}

// Steps returns the scheduled steps in [0, last], ascending, including the
// ends of epochs of stepsPerEpoch steps.
func (s StepSchedule) Steps(last, stepsPerEpoch int) []int {
	var out []int
	for st := 0; st <= last; st++ {
		if s.Has(st) || (st > 0 && stepsPerEpoch > 0 && st%stepsPerEpoch == 0) {
			out = append(out, st)
		}
	}
	return out
}

// Count returns len(s.Steps(last, stepsPerEpoch)) without walking the
// steps: 1 for step 0, the multiples of Every and of stepsPerEpoch (less
// those of both, counted twice), and the dense start's steps below Every
// that are not ends of epochs. Its cost does not grow with last, so a
// plan for a million epochs of one-sample batches is arithmetic.
func (s StepSchedule) Count(last, stepsPerEpoch int) int {
	if last < 0 {
		return 0
	}
	n := 1 + last/s.Every
	if stepsPerEpoch > 0 {
		n += last / stepsPerEpoch
		g := gcd(s.Every, stepsPerEpoch)
		if l := s.Every / g * stepsPerEpoch; l/stepsPerEpoch == s.Every/g && l > 0 {
			n -= last / l
		}
	}
	seen := 0
	for p := 1.0; ; p *= math.Sqrt2 {
		v := int(math.Round(p))
		if v >= s.Every || v > last {
			break
		}
		if v == seen {
			continue
		}
		seen = v
		if stepsPerEpoch <= 0 || v%stepsPerEpoch != 0 {
			n++
		}
	}
	return n
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Recording asks Train for measurements at step resolution.
type Recording struct {
	Schedule StepSchedule
	// Probe, when not nil, is the held-out probe: a fixed set of samples,
	// with negatives drawn once from ValidationSeed, on which every layer's
	// FF loss, accuracy and goodness and the model's accuracy are measured
	// at each scheduled step. With a classifier, the model is the
	// classifier and the probe needs no ten-label pass, so LabelAccuracy
	// and GoodnessAccuracy are NaN. Without one, the model is goodness over
	// labels, so the probe makes the ten-label pass (five times the rows)
	// and measures both.
	Probe *Data
	// Halves also measures the two halves of Probe (samples [0, N/2) and
	// [N/2, N)) separately, in StepMetrics.ProbeHalves.
	Halves bool
	// OnStep receives each measurement; an error stops training and is
	// returned by Train.
	OnStep func(StepMetrics) error
}

// StepMetrics is what a scheduled step records.
type StepMetrics struct {
	// Step counts optimizer steps since initialisation; 0 is the untrained
	// network.
	Step int
	// Epoch is the 1-based epoch the step belongs to (its last batch); 0
	// for step 0.
	Epoch int
	// Layer is the 1-based layer being trained under the greedy schedule,
	// 0 when all layers are trained.
	Layer int
	LR    float64
	// Probe is measured on Recording.Probe after the step's update; nil
	// without a probe.
	Probe *SplitMetrics
	// ProbeHalves are the probe's first and second halves, measured in the
	// same pass as Probe, when Recording.Halves is set; nil otherwise.
	ProbeHalves []SplitMetrics
	// Train averages the training batches since the previous scheduled
	// step (each measured before its own update, as the epoch averages
	// are); nil at step 0.
	Train *SplitMetrics
}

func (r *Recording) check(features int) error {
	if r.Schedule.Every < 1 {
		return &FieldError{"record.every", r.Schedule.Every, "must be at least 1"}
	}
	if r.Halves && r.Probe == nil {
		return &FieldError{"record.halves", true, "needs a probe"}
	}
	if r.Probe != nil {
		if err := r.Probe.Check(); err != nil {
			return fmt.Errorf("probe data: %w", err)
		}
		if r.Probe.Features != features {
			return fmt.Errorf("probe data has %d features, training data %d", r.Probe.Features, features)
		}
		if r.Halves && (r.Probe.N < 2 || r.Probe.N%2 != 0) {
			return &FieldError{"record.probe", r.Probe.N, "must be even (at least 2) to split into halves"}
		}
	}
	return nil
}

// probe measures the network on the probe data d with negatives neg:
// positives and negatives through every layer and, with a classifier, the
// neutral rows the classifier reads. With halves it also returns the same
// metrics of the first and the second half of d (samples [0, N/2) and
// [N/2, N)), tallied in the same pass: the split-half probe whose two
// independent measurements of one curve give its reliability. It changes
// no parameter or running statistic.
func (n *Network) probe(d *Data, neg []uint8, halves bool) (SplitMetrics, []SplitMetrics) {
	whole := newEvalTally(len(n.layers))
	parts := []*evalTally{nil}
	bounds := []int{0, d.N}
	if halves {
		parts = []*evalTally{newEvalTally(len(n.layers)), newEvalTally(len(n.layers))}
		bounds = []int{0, d.N / 2, d.N}
	}
	for p, t := range parts {
		ts := []*evalTally{whole}
		if t != nil {
			ts = append(ts, t)
		}
		for lo := bounds[p]; lo < bounds[p+1]; lo += evalChunk {
			hi := min(lo+evalChunk, bounds[p+1])
			n.probeRows(d.X[lo*d.Features:hi*d.Features], d.Labels[lo:hi], neg[lo:hi], ts)
		}
	}
	m := n.probeMetrics(whole)
	if !halves {
		return m, nil
	}
	return m, []SplitMetrics{n.probeMetrics(parts[0]), n.probeMetrics(parts[1])}
}

// probeRows adds the probe metrics of m samples to every tally in ts.
func (n *Network) probeRows(x []float32, y, ng []uint8, ts []*evalTally) {
	if !n.cfg.Classifier {
		// The model is goodness over labels: the ten-label pass of a full
		// evaluation measures it, and the FF decisions with it.
		n.evalRows(x, y, ng, ts...)
		return
	}
	m := len(y)
	const blocks, classBlock = 3, 2 // positive, negative, neutral
	e := n.forwardBlocks(x, m, blocks, func(k, i int) int {
		switch k {
		case 0:
			return int(y[i])
		case 1:
			return int(ng[i])
		}
		return neutralRow
	}, classBlock)
	for _, t := range ts {
		t.samples += m
		for l, ly := range n.layers {
			th := float64(n.threshold(ly))
			for i := 0; i < m; i++ {
				t.addFF(l, float64(e.good[l][i]), float64(e.good[l][m+i]), th)
			}
		}
		t.addClassifier(e.logits, y)
	}
}

// probeMetrics turns a probe tally into SplitMetrics. With a classifier
// there is no ten-label pass: the label accuracies are not measured.
func (n *Network) probeMetrics(t *evalTally) SplitMetrics {
	m := t.metrics(n.cfg.Classifier)
	if n.cfg.Classifier {
		m.GoodnessAccuracy = math.NaN()
		for l := range m.Layers {
			m.Layers[l].LabelAccuracy = math.NaN()
		}
	}
	return m
}
