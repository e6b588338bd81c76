// Package backend selects the BLAS implementation behind ffchar's float32
// math.
//
// Two backends exist. The portable default is gonum's pure-Go
// implementation. Building with the tag "openblas" (the Makefile does so when
// pkg-config finds Debian's libopenblas-dev) routes the hot level-1 and
// level-3 routines to OpenBLAS through cgo. Name reports which one is in use;
// it is part of every result's provenance because the two backends round
// differently.
//
// OpenBLAS picks a kernel for the CPU when it loads (Kernel, Config). For a
// CPU it does not recognise, which is common under a hypervisor that hides
// the model, it falls back to a generic SSE kernel several times slower
// than the CPU allows. FixKernel, called first thing in main, detects that
// from the CPU's features (golang.org/x/sys/cpu) and starts the program
// again, once, with OPENBLAS_CORETYPE set to the matching kernel: SkylakeX
// with AVX-512 F, BW, DQ and VL; Zen on AMD and Haswell elsewhere with AVX2
// and FMA. The decision is DecideKernel, a pure function; an
// OPENBLAS_CORETYPE set by the user is always kept. The kernel is part of
// the provenance too: kernels round differently.
package backend
