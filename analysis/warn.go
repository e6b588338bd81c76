package analysis

import (
	"errors"
	"fmt"
)

// Warnings carried by results. Each warning in a Warnings slice wraps one of
// these, with the run, treatment or layer it concerns in its text, so a caller
// can test the kind with errors.Is and print the whole warning for a reader.
var (
	// ErrTooFewSeeds: a mean over seeds has fewer than two values, so it
	// has no confidence interval (Lo, Hi = -Inf, +Inf) and no p-value; or a
	// correlation across seeds has too few seeds for a Fisher interval.
	ErrTooFewSeeds = errors.New("too few seeds for a confidence interval")
	// ErrTooFewPoints: a series, test or regression has too few usable
	// values for the statistic.
	ErrTooFewPoints = errors.New("too few points")
	// ErrConstant: a series is constant, so its correlation is undefined.
	// The series is excluded from means over seeds and counted.
	ErrConstant = errors.New("constant series: correlation undefined")
	// ErrMissing: values were NaN and were left out.
	ErrMissing = errors.New("missing values left out")
	// ErrNoGain: a layer's accuracy never rises above its first-epoch
	// value, so its delay is undefined. The run is excluded from delay
	// means and counted.
	ErrNoGain = errors.New("no accuracy gain: delay undefined")
	// ErrNoLag: no lag within the search window has a defined
	// cross-correlation.
	ErrNoLag = errors.New("no cross-correlation lag defined")
	// ErrClamped: |r| = 1, whose Fisher z is infinite; r was clamped to
	// ±MaxAbsR before averaging.
	ErrClamped = errors.New("|r| = 1 clamped for the Fisher transform")
	// ErrZeroVariance: the values are all equal, so a t statistic is
	// infinite (p = 0) or undefined (p = 1 when the mean equals the null).
	ErrZeroVariance = errors.New("zero variance")
	// ErrCollinear: a regressor is constant or a linear combination of
	// earlier ones and was dropped from the regression.
	ErrCollinear = errors.New("collinear regressor dropped")
	// ErrNotEstimable: an effect could not be estimated at all.
	ErrNotEstimable = errors.New("effect not estimable")
)

// warnf returns a warning wrapping kind, prefixed by where it applies.
func warnf(kind error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), kind)
}
