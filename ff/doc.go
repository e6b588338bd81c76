// Package ff implements Forward-Forward training (Hinton, 2022) as ffchar
// studies it: a stack of dense layers each trained by its own local loss,
// with per-layer and model metrics recorded every epoch.
//
// Two recipes are provided by name (see DefaultConfig):
//
//   - "loewe", the default, follows github.com/loeweX/Forward-Forward, the
//     implementation that "The Forward-Forward Algorithm: Characterizing
//     Training Behavior" (Adamson, 2025) builds on: RMS normalisation before
//     every layer, a ReLU whose backward pass is the identity, goodness =
//     sum of squares with threshold = width, peer normalisation, a linear
//     softmax classifier on the normalised activations of layers 2..N, SGD
//     with momentum and a linear learning-rate cooldown.
//   - "pezeshki", the most-copied minimal implementation: L2 normalisation,
//     plain ReLU, goodness = mean of squares with threshold 2, one Adam per
//     layer, no classifier.
//
// Every hyperparameter is a field of Config, so an experiment can vary any of
// them. Training is float32 through the BLAS implementation chosen by package
// backend. All randomness comes from generators derived from the run's seed,
// so the same Config, seed, machine and backend give bit-identical results.
//
// Speed. Positive, negative and neutral samples differ only in the ten label
// features, and a layer is linear before its ReLU, so the first layer's
// product with the image part is computed once per batch and each variant
// adds its label column, scaled by its own normalisation factor. The same
// holds for the ten label candidates of goodness-over-labels evaluation and
// for the image part of the first layer's weight gradient.
//
// The package does no I/O: data comes in as Data, metrics go out through
// callbacks and return values.
package ff
