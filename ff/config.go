package ff

import (
	"cmp"
	"fmt"
	"math"
)

// NumClasses is the number of labels written into the first NumClasses
// features of every sample.
const NumClasses = 10

// Recipe names a set of defaults for Config.
type Recipe string

const (
	Loewe    Recipe = "loewe"
	Pezeshki Recipe = "pezeshki"
)

// Recipes lists the recipe names DefaultConfig accepts.
var Recipes = []Recipe{Loewe, Pezeshki}

// Schedule says which layers are updated on a minibatch.
type Schedule string

const (
	// Simultaneous updates every layer on every minibatch.
	Simultaneous Schedule = "simultaneous"
	// Greedy trains layer 1 for Epochs epochs, then layer 2 for Epochs
	// epochs, and so on: a run lasts Depth×Epochs epochs.
	Greedy Schedule = "greedy"
)

// Norm is the per-row normalisation applied before every layer.
type Norm string

const (
	// RMS divides a row by sqrt(mean(z²)) + NormEps.
	RMS Norm = "rms"
	// L2 divides a row by ‖z‖₂ + NormEps.
	L2 Norm = "l2"
)

// Goodness is how a layer's activations reduce to one number per sample.
type Goodness string

const (
	SumSquares  Goodness = "sum"
	MeanSquares Goodness = "mean"
)

// Optimizer is the update rule for the FF layers.
type Optimizer string

const (
	// SGD is torch.optim.SGD with momentum (no dampening, no Nesterov);
	// weight decay is added to the gradient.
	SGD Optimizer = "sgd"
	// Adam is torch.optim.Adam (bias-corrected, L2 weight decay added to
	// the gradient), one instance per layer.
	Adam Optimizer = "adam"
)

// LRSchedule is how the learning rate changes over epochs.
type LRSchedule string

const (
	Constant LRSchedule = "constant"
	// LinearCooldown keeps the rate while epoch e ≤ E/2 (integer division,
	// e from 0) and then uses lr·2·(1+E−e)/E, as loeweX does.
	LinearCooldown LRSchedule = "linear-cooldown"
)

// Readout says which FF layers the classifier and the goodness-over-labels
// sum read.
type Readout string

const (
	// SkipFirst reads layers 2..N (layer 1 when N = 1), as loeweX and
	// Hinton (2022) do: layer 1's activity is dominated by the label it is
	// given.
	SkipFirst Readout = "skip-first"
	// AllLayers reads layers 1..N.
	AllLayers Readout = "all"
)

// Init is the weight initialisation of the FF layers.
type Init string

const (
	// NormalInit draws W from Normal(0, 1/sqrt(out)) and sets biases to 0
	// (loeweX).
	NormalInit Init = "normal"
	// UniformInit draws W and b from U(−1/sqrt(in), 1/sqrt(in)), PyTorch's
	// default for nn.Linear.
	UniformInit Init = "uniform"
)

// Config is everything that determines a training run except its data and
// seed. Start from DefaultConfig and change fields.
type Config struct {
	Recipe Recipe `toml:"recipe" json:"recipe"` // the defaults this config started from; recorded only
	Depth  int    `toml:"depth" json:"depth"`   // number of FF layers (≥ 1)
	Width  int    `toml:"width" json:"width"`   // units per FF layer (≥ 1)
	// Widths, when not empty, gives each layer's width and overrides
	// Width; its length must equal Depth.
	Widths    []int    `toml:"widths" json:"widths"`
	Epochs    int      `toml:"epochs" json:"epochs"`         // epochs (per layer, for the greedy schedule)
	BatchSize int      `toml:"batch_size" json:"batch_size"` // positives per minibatch; the last partial batch is dropped
	Schedule  Schedule `toml:"schedule" json:"schedule"`     // simultaneous (default) or greedy

	Norm         Norm     `toml:"norm" json:"norm"`                     // normalisation before every layer
	NormEps      float64  `toml:"norm_eps" json:"norm_eps"`             // added to the norm
	FullGradReLU bool     `toml:"full_grad_relu" json:"full_grad_relu"` // ReLU backward passes the gradient unchanged everywhere
	Goodness     Goodness `toml:"goodness" json:"goodness"`             // sum or mean of squared activations
	// Threshold is subtracted from the goodness to form the logit; when
	// ThresholdPerUnit is set it is multiplied by the layer's width first
	// (loeweX: logit = Σa² − width).
	Threshold        float64 `toml:"threshold" json:"threshold"`
	ThresholdPerUnit bool    `toml:"threshold_per_unit" json:"threshold_per_unit"` // multiply the threshold by the layer's width
	Init             Init    `toml:"init" json:"init"`                             // weight initialisation: normal (loeweX) or uniform (PyTorch's nn.Linear)

	// Peer normalisation: a running mean of each unit's activation over the
	// positives (starting at PeerInit, momentum PeerMomentum) is pushed
	// towards the layer's mean with weight PeerWeight (0 disables it).
	PeerWeight   float64 `toml:"peer_weight" json:"peer_weight"`
	PeerMomentum float64 `toml:"peer_momentum" json:"peer_momentum"` // momentum of the peer-normalisation running means
	PeerInit     float64 `toml:"peer_init" json:"peer_init"`         // starting value of the peer-normalisation running means

	Optimizer   Optimizer  `toml:"optimizer" json:"optimizer"`       // of the FF layers: sgd (with momentum) or adam
	LR          float64    `toml:"lr" json:"lr"`                     // FF layers' learning rate
	Momentum    float64    `toml:"momentum" json:"momentum"`         // SGD momentum
	WeightDecay float64    `toml:"weight_decay" json:"weight_decay"` // FF layers' weight decay
	AdamBeta1   float64    `toml:"adam_beta1" json:"adam_beta1"`     // Adam's first-moment decay
	AdamBeta2   float64    `toml:"adam_beta2" json:"adam_beta2"`     // Adam's second-moment decay
	AdamEps     float64    `toml:"adam_eps" json:"adam_eps"`         // Adam's epsilon
	LRSchedule  LRSchedule `toml:"lr_schedule" json:"lr_schedule"`   // constant, or linear-cooldown over the second half of the epochs (loeweX)

	// Classifier enables the linear softmax classifier on the normalised
	// activations of layers 2..N (all layers when N = 1), trained with SGD
	// (Momentum) on detached features.
	Classifier            bool    `toml:"classifier" json:"classifier"`
	ClassifierLR          float64 `toml:"classifier_lr" json:"classifier_lr"`                     // the classifier's learning rate
	ClassifierWeightDecay float64 `toml:"classifier_weight_decay" json:"classifier_weight_decay"` // the classifier's weight decay
	// Readout is the layers the classifier and the goodness-over-labels
	// sum read: SkipFirst (default) or AllLayers. Added after runs were
	// cached; at its keydefault it adds no key line (FieldLines). An empty
	// value, as in a configuration recorded before the field existed,
	// means SkipFirst.
	Readout Readout `toml:"readout" json:"readout,omitempty" keydefault:"skip-first"`

	// TrainLabelMetrics also computes, on every training batch, each
	// layer's 10-class accuracy and the goodness-over-labels accuracy. It
	// costs ten extra forward passes per batch, so it is off by default and
	// those columns are NaN for the training split; validation always has
	// them.
	TrainLabelMetrics bool `toml:"train_label_metrics" json:"train_label_metrics"`
}

// DefaultConfig returns the defaults of the named recipe.
func DefaultConfig(r Recipe) (Config, error) {
	switch r {
	case Loewe:
		return Config{
			Recipe: Loewe, Depth: 3, Width: 1000, Epochs: 100, BatchSize: 100,
			Schedule: Simultaneous, Norm: RMS, NormEps: 1e-8, FullGradReLU: true,
			Goodness: SumSquares, Threshold: 1, ThresholdPerUnit: true, Init: NormalInit,
			PeerWeight: 0.03, PeerMomentum: 0.9, PeerInit: 0.5,
			Optimizer: SGD, LR: 1e-3, Momentum: 0.9, WeightDecay: 3e-4,
			AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEps: 1e-8, LRSchedule: LinearCooldown,
			Classifier: true, ClassifierLR: 1e-2, ClassifierWeightDecay: 3e-3, Readout: SkipFirst,
		}, nil
	case Pezeshki:
		return Config{
			Recipe: Pezeshki, Depth: 2, Width: 500, Epochs: 60, BatchSize: 100,
			Schedule: Simultaneous, Norm: L2, NormEps: 1e-4, FullGradReLU: false,
			Goodness: MeanSquares, Threshold: 2, ThresholdPerUnit: false, Init: UniformInit,
			Optimizer: Adam, LR: 0.03, Momentum: 0.9, WeightDecay: 0,
			AdamBeta1: 0.9, AdamBeta2: 0.999, AdamEps: 1e-8, LRSchedule: Constant,
			Classifier: false, ClassifierLR: 1e-2, ClassifierWeightDecay: 3e-3, Readout: SkipFirst,
		}, nil
	}
	return Config{}, fmt.Errorf("unknown recipe %q (want loewe or pezeshki)", r)
}

// FieldError is a configuration value out of range. Field is the Config
// field name in lower case with words separated by "_", as experiment files
// and flags spell it.
type FieldError struct {
	Field string
	Value any
	Want  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s = %v: %s", e.Field, e.Value, e.Want)
}

// Upper bounds of the sizes, far above any network this engine can train
// in reasonable time, low enough that sizes multiplied together (weights,
// buffers, epochs × depth) cannot overflow an int.
const (
	MaxDepth     = 1000
	MaxWidth     = 1 << 20
	MaxEpochs    = 1_000_000
	MaxBatchSize = 1 << 20
)

// Validate reports the first field out of range.
func (c *Config) Validate() error {
	pos := func(name string, v, most int) error {
		if v < 1 {
			return &FieldError{name, v, "must be at least 1"}
		}
		if v > most {
			return &FieldError{name, v, fmt.Sprintf("must be at most %d", most)}
		}
		return nil
	}
	finite := func(name string, v float64, lo float64, loOpen bool) error {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || (loOpen && v == lo) {
			op := "≥"
			if loOpen {
				op = ">"
			}
			return &FieldError{name, v, fmt.Sprintf("must be finite and %s %g", op, lo)}
		}
		return nil
	}
	checks := []error{
		pos("depth", c.Depth, MaxDepth), pos("width", c.Width, MaxWidth), pos("epochs", c.Epochs, MaxEpochs), pos("batch_size", c.BatchSize, MaxBatchSize),
		finite("norm_eps", c.NormEps, 0, false), finite("threshold", c.Threshold, 0, false),
		finite("peer_weight", c.PeerWeight, 0, false), finite("peer_momentum", c.PeerMomentum, 0, false),
		finite("peer_init", c.PeerInit, 0, false),
		finite("lr", c.LR, 0, true), finite("momentum", c.Momentum, 0, false),
		finite("weight_decay", c.WeightDecay, 0, false),
		finite("adam_beta1", c.AdamBeta1, 0, false), finite("adam_beta2", c.AdamBeta2, 0, false),
		finite("adam_eps", c.AdamEps, 0, true),
		finite("classifier_lr", c.ClassifierLR, 0, true),
		finite("classifier_weight_decay", c.ClassifierWeightDecay, 0, false),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if len(c.Widths) > 0 {
		if len(c.Widths) != c.Depth {
			return &FieldError{"widths", c.Widths, fmt.Sprintf("must have depth = %d entries", c.Depth)}
		}
		for _, w := range c.Widths {
			if w < 1 {
				return &FieldError{"widths", c.Widths, "every width must be at least 1"}
			}
			if w > MaxWidth {
				return &FieldError{"widths", c.Widths, fmt.Sprintf("every width must be at most %d", MaxWidth)}
			}
		}
	}
	switch {
	case c.PeerMomentum >= 1:
		return &FieldError{"peer_momentum", c.PeerMomentum, "must be below 1"}
	case c.Momentum >= 1:
		return &FieldError{"momentum", c.Momentum, "must be below 1"}
	case c.AdamBeta1 >= 1:
		return &FieldError{"adam_beta1", c.AdamBeta1, "must be below 1"}
	case c.AdamBeta2 >= 1:
		return &FieldError{"adam_beta2", c.AdamBeta2, "must be below 1"}
	}
	enums := []struct {
		field string
		v     string
		ok    []string
	}{
		{"schedule", string(c.Schedule), []string{string(Simultaneous), string(Greedy)}},
		{"norm", string(c.Norm), []string{string(RMS), string(L2)}},
		{"goodness", string(c.Goodness), []string{string(SumSquares), string(MeanSquares)}},
		{"optimizer", string(c.Optimizer), []string{string(SGD), string(Adam)}},
		{"lr_schedule", string(c.LRSchedule), []string{string(Constant), string(LinearCooldown)}},
		{"init", string(c.Init), []string{string(NormalInit), string(UniformInit)}},
		{"readout", string(cmp.Or(c.Readout, SkipFirst)), []string{string(SkipFirst), string(AllLayers)}},
	}
	for _, e := range enums {
		found := false
		for _, o := range e.ok {
			found = found || o == e.v
		}
		if !found {
			return &FieldError{e.field, fmt.Sprintf("%q", e.v), fmt.Sprintf("must be one of %q", e.ok)}
		}
	}
	return nil
}

// LayerWidth returns the width of layer l (0-based).
func (c *Config) LayerWidth(l int) int {
	if len(c.Widths) > 0 {
		return c.Widths[l]
	}
	return c.Width
}

// LayerWidths returns every layer's width, from Widths or Width.
func (c *Config) LayerWidths() []int {
	ws := make([]int, c.Depth)
	for l := range ws {
		ws[l] = c.LayerWidth(l)
	}
	return ws
}

// TotalEpochs is the number of epochs a run lasts: Epochs, or Depth×Epochs
// for the greedy schedule.
func (c *Config) TotalEpochs() int {
	if c.Schedule == Greedy {
		return c.Depth * c.Epochs
	}
	return c.Epochs
}

// FirstReadout returns the first FF layer (0-based) whose activations
// feed the classifier and the goodness-over-labels sum: layer 1 for the
// AllLayers readout; otherwise layer 2 when there are at least two layers,
// else layer 1 (loeweX itself fails when Depth is 1).
func (c *Config) FirstReadout() int {
	if c.Readout == AllLayers || c.Depth == 1 {
		return 0
	}
	return 1
}

// lrScale returns the learning-rate multiplier for epoch e (from 0) of a phase
// of n epochs.
func (c *Config) lrScale(e, n int) float64 {
	if c.LRSchedule == LinearCooldown && e > n/2 {
		return 2 * float64(1+n-e) / float64(n)
	}
	return 1
}

// FlopsPerBatch returns the floating-point operations of one training
// minibatch of this configuration on samples of the given number of
// features, counting the matrix products the engine performs (two per
// multiply-add) and not the element-wise work.
func (c *Config) FlopsPerBatch(features int) float64 {
	B := float64(c.BatchSize)
	rows := 2 * B
	if c.Classifier {
		rows = 3 * B
	}
	img := float64(features - NumClasses)
	w1 := float64(c.LayerWidth(0))
	// Layer 1 shares the image part between all variants, forward and back.
	f := 2*B*img*w1 + 2*B*img*w1
	cfeat := 0.0
	for l := 1; l < c.Depth; l++ {
		in, out := float64(c.LayerWidth(l-1)), float64(c.LayerWidth(l))
		f += 2*rows*in*out + 2*2*B*in*out
	}
	if c.Classifier {
		for l := c.FirstReadout(); l < c.Depth; l++ {
			cfeat += float64(c.LayerWidth(l))
		}
		f += 2 * 2 * B * NumClasses * cfeat
	}
	return f
}
