package ff

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Streams of the run's PCG generator: each use of randomness has its own, so
// changing one (say, the number of epochs) leaves the others unchanged.
const (
	streamInit      = 1
	streamShuffle   = 2
	streamNegatives = 3
)

// ValidationSeed seeds the negatives of validation: identical across epochs
// and runs.
const ValidationSeed = 20221227

// Options control a training run beyond its Config.
type Options struct {
	// Seed determines initialisation, shuffling and negative labels.
	Seed uint64
	// Val, when not nil, is evaluated after every epoch.
	Val *Data
	// OnEpoch is called after every epoch; an error stops training and is
	// returned.
	OnEpoch func(m EpochMetrics, net *Network) error
	// Record, when not nil, measures the run at the optimizer steps of its
	// schedule. Recording does not change training: the weights are
	// bit-identical with and without it.
	Record *Recording
	// Resume, when not nil, continues the run from the state saved after
	// epoch Resume.Epoch (by OnState) instead of starting it; the Seed and
	// the configuration must be those of the run that saved it, up to its
	// number of epochs when ff.Config.PrefixLines agree. The returned
	// history includes the resumed state's.
	Resume *State
	// OnState, when not nil, is called after every epoch, once OnEpoch has
	// returned, with the state that continues the run. The state shares
	// memory with the network: it is valid only during the call.
	OnState func(s *State) error
	// OnStop, when not nil, is called when ctx ends training inside an
	// epoch, at the batch boundary where it stops, with the state that
	// continues the run from there (State.Batch > 0); Train then returns
	// ctx's error. The state shares memory with the network.
	OnStop func(s *State) error
	// Until, when positive and below the run's TotalEpochs, stops training
	// after that many epochs, with the learning-rate schedule of the whole
	// run: to continue later from the state OnState saves.
	Until int
	// OnBatch is called after every minibatch with the 1-based epoch and
	// the batches done so far in it; for progress display.
	OnBatch func(epoch, done, total int)
}

// ErrDiverged is wrapped by the error Train returns when a loss becomes NaN
// or infinite.
var ErrDiverged = errors.New("training diverged")

// Train trains a new network on train and returns it with the per-epoch
// metrics. Bad configurations and data are errors, as is a diverging run
// (wrapping ErrDiverged) and a cancelled context.
func Train(ctx context.Context, cfg Config, train *Data, opt Options) (*Network, []EpochMetrics, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if err := train.Check(); err != nil {
		return nil, nil, fmt.Errorf("training data: %w", err)
	}
	if cfg.BatchSize > train.N {
		return nil, nil, &FieldError{"batch_size", cfg.BatchSize, fmt.Sprintf("must not exceed the %d training samples", train.N)}
	}
	var valNeg []uint8
	if opt.Val != nil {
		if err := opt.Val.Check(); err != nil {
			return nil, nil, fmt.Errorf("validation data: %w", err)
		}
		if opt.Val.Features != train.Features {
			return nil, nil, fmt.Errorf("validation data has %d features, training data %d", opt.Val.Features, train.Features)
		}
		valNeg = NegativeLabels(opt.Val.Labels, ValidationSeed)
	}
	rec := opt.Record
	var probeNeg []uint8
	if rec != nil {
		if err := rec.check(train.Features); err != nil {
			return nil, nil, err
		}
		if rec.Probe != nil {
			probeNeg = NegativeLabels(rec.Probe.Labels, ValidationSeed)
		}
	}
	net, err := newNetwork(cfg, train.Features, rand.New(rand.NewPCG(opt.Seed, streamInit)))
	if err != nil {
		return nil, nil, err
	}
	// measure reports the scheduled step with the training batches summed
	// in window since the previous one.
	var window *epochSum
	windowBatches := 0
	measure := func(step, epoch, layer int) error {
		m := StepMetrics{Step: step, Epoch: epoch, Layer: layer, LR: cfg.LR * net.lrFactor}
		if rec.Probe != nil {
			p, halves := net.probe(rec.Probe, probeNeg, rec.Halves)
			m.Probe, m.ProbeHalves = &p, halves
		}
		if windowBatches > 0 {
			t := window.metrics(windowBatches, cfg.BatchSize)
			m.Train = &t
		}
		window, windowBatches = newEpochSum(cfg.Depth, cfg.Classifier, cfg.TrainLabelMetrics), 0
		if rec.OnStep == nil {
			return nil
		}
		return rec.OnStep(m)
	}
	shufflePCG, negPCG := rand.NewPCG(opt.Seed, streamShuffle), rand.NewPCG(opt.Seed, streamNegatives)
	shuffle, negRng := rand.New(shufflePCG), rand.New(negPCG)

	B, F := cfg.BatchSize, train.Features
	net.ensureBatch(B)
	perm := make([]int, train.N)
	for i := range perm {
		perm[i] = i
	}
	batches := train.N / B
	var history []EpochMetrics
	var st stepStats
	step, first, firstBatch := 0, 0, 0
	var sum *epochSum
	if s := opt.Resume; s != nil {
		inside := s.Batch > 0
		if s.Epoch < 0 || s.Epoch > cfg.TotalEpochs() || len(s.History) != s.Epoch || s.Epoch == 0 && !inside ||
			inside && (s.Epoch == cfg.TotalEpochs() || s.Batch >= batches || s.Sums == nil || rec != nil && s.Window == nil) {
			return nil, nil, fmt.Errorf("ff: cannot resume a %d-epoch run of %d batches an epoch from a state after epoch %d, batch %d, with %d epochs of history",
				cfg.TotalEpochs(), batches, s.Epoch, s.Batch, len(s.History))
		}
		if err := net.restore(s, shufflePCG, negPCG, perm); err != nil {
			return nil, nil, err
		}
		step, first = s.Step, s.Epoch
		history = append(history, s.History...)
		if rec != nil {
			// The previous epoch's last step was measured, which starts
			// a new window.
			window, windowBatches = newEpochSum(cfg.Depth, cfg.Classifier, cfg.TrainLabelMetrics), 0
		}
		if inside {
			firstBatch = s.Batch
			sum = s.Sums.epochSum(cfg)
			if rec != nil {
				window, windowBatches = s.Window.epochSum(cfg), s.WindowBatches
			}
		}
	}
	last := cfg.TotalEpochs()
	if opt.Until > 0 && opt.Until < last {
		last = opt.Until
	}
	for e := first; e < last; e++ {
		start := time.Now()
		phase, active := e, -1
		if cfg.Schedule == Greedy {
			active, phase = e/cfg.Epochs, e%cfg.Epochs
		}
		trainable := func(l int) bool { return active < 0 || l == active }
		net.lrFactor = cfg.lrScale(phase, cfg.Epochs)
		if rec != nil && step == 0 {
			if err := measure(0, 0, active+1); err != nil {
				return nil, nil, err
			}
		}
		b0 := 0
		if e == first && firstBatch > 0 {
			// Inside the epoch: its order is the state's, its sums so far
			// are restored.
			b0 = firstBatch
		} else {
			shuffle.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			sum = newEpochSum(cfg.Depth, cfg.Classifier, cfg.TrainLabelMetrics)
		}
		for b := b0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				if opt.OnStop != nil && b > 0 {
					s, serr := net.snapshot(e, step, shufflePCG, negPCG, perm, history)
					if serr != nil {
						return nil, history, serr
					}
					s.Batch, s.Sums = b, sum.partial()
					if rec != nil {
						s.Window, s.WindowBatches = window.partial(), windowBatches
					}
					if serr := opt.OnStop(s); serr != nil {
						return nil, history, serr
					}
				}
				return nil, history, err
			}
			for i := 0; i < B; i++ {
				s := perm[b*B+i]
				copy(net.xb[i*F:(i+1)*F], train.X[s*F:(s+1)*F])
				y := train.Labels[s]
				net.yPos[i] = y
				net.yNeg[i] = wrongLabel(negRng, y)
			}
			net.step(trainable, &st)
			if math.IsNaN(st.total) || math.IsInf(st.total, 0) {
				return nil, history, fmt.Errorf("epoch %d, batch %d: %w: loss is %v; lower lr (now %g)",
					e+1, b+1, ErrDiverged, st.total, cfg.LR*net.lrFactor)
			}
			sum.add(&st)
			step++
			if rec != nil {
				window.add(&st)
				windowBatches++
				if rec.Schedule.Has(step) || b == batches-1 {
					if err := measure(step, e+1, active+1); err != nil {
						return nil, history, err
					}
				}
			}
			if opt.OnBatch != nil {
				opt.OnBatch(e+1, b+1, batches)
			}
		}
		m := EpochMetrics{Epoch: e + 1, LR: cfg.LR * net.lrFactor, Train: sum.metrics(batches, B)}
		if active >= 0 {
			m.Layer = active + 1
		}
		m.Seconds = time.Since(start).Seconds()
		if opt.Val != nil {
			ev := net.evaluate(opt.Val, valNeg)
			m.Val = &ev.SplitMetrics
		}
		history = append(history, m)
		if opt.OnEpoch != nil {
			if err := opt.OnEpoch(m, net); err != nil {
				return nil, history, err
			}
		}
		if opt.OnState != nil {
			s, err := net.snapshot(e+1, step, shufflePCG, negPCG, perm, history)
			if err != nil {
				return nil, history, err
			}
			if err := opt.OnState(s); err != nil {
				return nil, history, err
			}
		}
	}
	return net, history, nil
}

// epochSum averages batch metrics over an epoch, as loeweX logs them.
type epochSum struct {
	layers                     []LayerMetrics
	classLoss, classAcc        float64
	goodAcc                    float64
	classifier, labelsComputed bool
}

func newEpochSum(depth int, classifier, labels bool) *epochSum {
	return &epochSum{layers: make([]LayerMetrics, depth), classifier: classifier, labelsComputed: labels}
}

func (s *epochSum) add(st *stepStats) {
	for l, m := range st.layers {
		a := &s.layers[l]
		a.Loss += m.Loss
		a.Accuracy += m.Accuracy
		a.GoodnessPos += m.GoodnessPos
		a.GoodnessNeg += m.GoodnessNeg
		a.PeerLoss += m.PeerLoss
		if s.labelsComputed {
			a.LabelAccuracy += st.labelLayers[l]
		}
	}
	s.classLoss += st.classLoss
	s.classAcc += st.classAcc
	s.goodAcc += st.goodAcc
}

// partial returns a copy of the sums for a State.
func (s *epochSum) partial() *PartialSums {
	return &PartialSums{Layers: append([]LayerMetrics(nil), s.layers...), ClassLoss: s.classLoss, ClassAcc: s.classAcc, GoodAcc: s.goodAcc}
}

// epochSum returns the sums of p for a run of configuration cfg.
func (p *PartialSums) epochSum(cfg Config) *epochSum {
	s := newEpochSum(cfg.Depth, cfg.Classifier, cfg.TrainLabelMetrics)
	copy(s.layers, p.Layers)
	s.classLoss, s.classAcc, s.goodAcc = p.ClassLoss, p.ClassAcc, p.GoodAcc
	return s
}

func (s *epochSum) metrics(batches, B int) SplitMetrics {
	k := float64(batches)
	m := SplitMetrics{Samples: batches * B, ClassifierAccuracy: math.NaN(), ClassifierLoss: math.NaN(), GoodnessAccuracy: math.NaN()}
	if s.classifier {
		m.ClassifierAccuracy, m.ClassifierLoss = s.classAcc/k, s.classLoss/k
	}
	if s.labelsComputed {
		m.GoodnessAccuracy = s.goodAcc / k
	}
	for _, a := range s.layers {
		lm := LayerMetrics{Loss: a.Loss / k, Accuracy: a.Accuracy / k, GoodnessPos: a.GoodnessPos / k,
			GoodnessNeg: a.GoodnessNeg / k, PeerLoss: a.PeerLoss / k, LabelAccuracy: math.NaN()}
		if s.labelsComputed {
			lm.LabelAccuracy = a.LabelAccuracy / k
		}
		m.Layers = append(m.Layers, lm)
	}
	return m
}
