package ff

import (
	"context"
	"errors"
)

// Options control a training run beyond its Config.
type Options struct {
	// Seed determines initialisation, shuffling and negative labels.
	Seed uint64
	// Val, when not nil, is evaluated after every epoch.
	Val *Data
	// OnEpoch is called after every epoch; an error stops training and is
	// returned.
	OnEpoch func(m EpochMetrics, net *Network) error
	// OnBatch is called after every minibatch with the 1-based epoch and
	// the batches done so far in it; for progress display.
	OnBatch func(epoch, done, total int)
}

// ErrDiverged is wrapped by the error Train returns when a loss becomes NaN
// or infinite.
var ErrDiverged = errors.New("training diverged")

// Train trains a new network on train and returns it with the per-epoch
// metrics.
func Train(ctx context.Context, cfg Config, train *Data, opt Options) (*Network, []EpochMetrics, error) {
	panic("not yet implemented")
}
