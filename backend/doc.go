// Package backend selects the BLAS implementation behind ffchar's float32
// math.
//
// Two backends exist. The default, which needs no C library, is gonum's
// pure-Go implementation. Building with the tag "openblas" (the Makefile does so when
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
//
// Portable arithmetic (EnsurePortable) trades that speed for bits that
// agree across machines: it pins OpenBLAS's Haswell kernel, which every
// x86-64 CPU with AVX2 and FMA runs identically, one BLAS thread, OpenBLAS
// 0.3.21 and GOAMD64=v1 (PortablePins), and refuses with one line
// (CheckPortable) where it cannot hold them.
package backend
