package ff

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// State is everything a training run carries from one epoch into the next:
// parameters, optimiser state, peer-normalisation means, the positions of
// the shuffling and negative-label generators, the sample order and the
// step count. Train started from the State saved after epoch e continues
// the run bit for bit as if it had never stopped: the same weights, the
// same epoch metrics and the same step records.
//
// The step records themselves are not part of the State: Train hands them
// to Recording.OnStep as they are measured, and a caller that keeps them
// keeps those of the prefix with the State it saves.
type State struct {
	// Epoch is the number of epochs completed.
	Epoch int
	// Batch is 0 for a state taken at the end of epoch Epoch (≥ 1), and
	// otherwise the number of batches done in epoch Epoch+1, for a state
	// taken inside it (Options.OnStop); Sums, and with step recording
	// Window and WindowBatches, then hold that epoch's partial metrics.
	Batch         int
	Sums, Window  *PartialSums
	WindowBatches int
	// Step is the number of optimizer steps taken.
	Step int
	// Tensors are the network's parameters as Params names them, followed
	// by its optimiser and peer-normalisation state (StateTensors).
	Tensors []Param
	// AdamSteps are the per-layer optimizer step counts (Adam's bias
	// correction); nil under SGD.
	AdamSteps []int
	// Shuffle and Negatives are the marshalled PCG generators.
	Shuffle, Negatives []byte
	// Perm is the sample order after the last epoch's shuffle: each
	// epoch shuffles the previous one's order.
	Perm []int32
	// History is the metrics of epochs 1..Epoch.
	History []EpochMetrics
}

// PartialSums are batch metrics summed inside an epoch: over its batches
// so far, or over the batches since the last recorded step.
type PartialSums struct {
	Layers                       []LayerMetrics
	ClassLoss, ClassAcc, GoodAcc float64
}

// stateTensors returns the network's tensors in State order: Params, then
// for each layer its momentum (SGD) or first moment (Adam), Adam's second
// moment, and the running means of peer normalisation, then the
// classifier's momentum. They share memory with the network.
func (n *Network) stateTensors() []Param {
	ps := n.Params()
	for l, ly := range n.layers {
		name := fmt.Sprintf("layer%d.", l+1)
		ps = append(ps,
			Param{name + "weight.m", ly.out, ly.in, ly.mw},
			Param{name + "bias.m", 1, ly.out, ly.mb})
		if ly.vw != nil {
			ps = append(ps,
				Param{name + "weight.v", ly.out, ly.in, ly.vw},
				Param{name + "bias.v", 1, ly.out, ly.vb})
		}
		ps = append(ps, Param{name + "running", 1, ly.out, ly.running})
	}
	if n.cfg.Classifier {
		ps = append(ps, Param{"classifier.weight.m", NumClasses, n.cfeat, n.mc})
	}
	return ps
}

// ParamCount is the number of leading State.Tensors that are the network's
// parameters (as Params returns them): a network for inference is built
// from State.Tensors[:ParamCount].
func (c *Config) ParamCount() int {
	n := 2 * c.Depth
	if c.Classifier {
		n++
	}
	return n
}

// snapshot returns the run's state after epoch e; its tensors share memory
// with the network.
func (n *Network) snapshot(e, step int, shuffle, neg *rand.PCG, perm []int, history []EpochMetrics) (*State, error) {
	s := &State{Epoch: e, Step: step, Tensors: n.stateTensors(), History: history}
	if n.cfg.Optimizer == Adam {
		for _, ly := range n.layers {
			s.AdamSteps = append(s.AdamSteps, ly.step)
		}
	}
	var err error
	if s.Shuffle, err = shuffle.MarshalBinary(); err != nil {
		return nil, err
	}
	if s.Negatives, err = neg.MarshalBinary(); err != nil {
		return nil, err
	}
	s.Perm = make([]int32, len(perm))
	for i, p := range perm {
		s.Perm[i] = int32(p)
	}
	return s, nil
}

// restore loads s into the network and generators. Any mismatch with the
// configuration or the data is an error.
func (n *Network) restore(s *State, shuffle, neg *rand.PCG, perm []int) error {
	if err := copyTensors(n.stateTensors(), s.Tensors, "state tensor"); err != nil {
		return err
	}
	if n.cfg.Optimizer == Adam {
		if len(s.AdamSteps) != len(n.layers) {
			return fmt.Errorf("ff: state has %d Adam step counts, want %d", len(s.AdamSteps), len(n.layers))
		}
		for l, ly := range n.layers {
			ly.step = s.AdamSteps[l]
		}
	}
	if len(s.Perm) != len(perm) {
		return fmt.Errorf("ff: state orders %d samples, the training data has %d", len(s.Perm), len(perm))
	}
	seen := make([]bool, len(perm))
	for i, p := range s.Perm {
		if p < 0 || int(p) >= len(perm) || seen[p] {
			return fmt.Errorf("ff: state's sample order is not a permutation (position %d: %d)", i, p)
		}
		seen[p] = true
		perm[i] = int(p)
	}
	if err := shuffle.UnmarshalBinary(s.Shuffle); err != nil {
		return fmt.Errorf("ff: state's shuffling generator: %w", err)
	}
	if err := neg.UnmarshalBinary(s.Negatives); err != nil {
		return fmt.Errorf("ff: state's negative-label generator: %w", err)
	}
	n.refreshLabelColumns()
	return nil
}

// PrefixLines returns the lines that determine epochs 1..e of a run of
// this configuration, for the key of its state after epoch e: every field
// line except the run's length, and the learning-rate scale of each of the
// e epochs. Runs that differ only in their number of epochs share the
// lines of every prefix over which their schedules agree: under loewe's
// linear cooldown, a 20-epoch and a 100-epoch run share the first 12
// epochs (the constant 11 and a first cooled epoch whose factor is 1). Under the greedy schedule the number of epochs decides when
// each layer trains, so it stays. It panics unless 1 ≤ e ≤ TotalEpochs.
func (c *Config) PrefixLines(e int) []string {
	if e < 1 || e > c.TotalEpochs() {
		panic("ff: prefix epoch out of range")
	}
	lines := c.prefixFields()
	scales := make([]string, e)
	for i := range scales {
		scales[i] = strconv.FormatFloat(c.epochScale(i), 'g', -1, 64)
	}
	return append(lines, "lr_scales "+strings.Join(scales, ","), "prefix_epochs "+strconv.Itoa(e))
}

// prefixFields returns the field lines of PrefixLines: all but the run's
// length, unless the greedy schedule makes it matter.
func (c *Config) prefixFields() []string {
	var lines []string
	for _, l := range c.Lines() {
		if c.Schedule != Greedy && strings.HasPrefix(l, "epochs ") {
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

// epochScale returns the learning-rate factor of epoch e (from 0) of the
// run.
func (c *Config) epochScale(e int) float64 {
	if c.Schedule == Greedy {
		return c.lrScale(e%c.Epochs, c.Epochs)
	}
	return c.lrScale(e, c.Epochs)
}

// SharedEpochs returns how many leading epochs runs of configurations a and
// b, identical but for their length, have in common: the longest e for
// which PrefixLines(e) agree. It is 0 when they differ in anything else.
func SharedEpochs(a, b Config) int {
	if !slices.Equal(a.prefixFields(), b.prefixFields()) {
		return 0
	}
	// PrefixLines(e) agree exactly while the scales do: equal floats
	// format alike.
	n := min(a.TotalEpochs(), b.TotalEpochs())
	for e := range n {
		if a.epochScale(e) != b.epochScale(e) {
			return e
		}
	}
	return n
}
