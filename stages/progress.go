package stages

import "context"

// EpochEvent reports a finished training epoch of a run, for progress
// display.
type EpochEvent struct {
	Run     string
	Epoch   int // from 1
	Epochs  int // the run's total
	Samples int // training samples in the epoch
	Seconds float64
}

type epochKey struct{}

// WithEpochProgress returns a context under which train jobs call fn after
// every epoch. fn may be called from several goroutines at once.
func WithEpochProgress(ctx context.Context, fn func(EpochEvent)) context.Context {
	return context.WithValue(ctx, epochKey{}, fn)
}

func epochProgress(ctx context.Context) func(EpochEvent) {
	fn, _ := ctx.Value(epochKey{}).(func(EpochEvent))
	return fn
}
