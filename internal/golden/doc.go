// Package golden holds the golden-digest test of portable arithmetic: a
// few small networks trained in portable arithmetic (backend.EnsurePortable)
// whose weights and curves must match, bit for bit, digests committed in
// testdata/. It has no code of its own: the test is the alarm for a
// machine, library or toolchain that breaks portability, and for a change
// to the engine's arithmetic.
//
// Where portable arithmetic cannot run (the gonum build, a CPU without
// AVX2 and FMA, another OpenBLAS version) the test skips and says why.
//
// When the engine's arithmetic changes on purpose, regenerate the digests
// on a machine that runs portable arithmetic, read the diff, and commit it
// with the change that caused it:
//
//	go test -tags openblas ./internal/golden -update
package golden
