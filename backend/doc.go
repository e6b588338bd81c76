// Package backend selects the BLAS implementation behind ffchar's float32
// math.
//
// Two backends exist. The portable default is gonum's pure-Go
// implementation. Building with the tag "openblas" (the Makefile does so when
// pkg-config finds Debian's libopenblas-dev) routes the hot level-1 and
// level-3 routines to OpenBLAS through cgo. Name reports which one is in use;
// it is part of every result's provenance because the two backends round
// differently.
package backend
