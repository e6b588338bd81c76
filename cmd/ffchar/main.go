// Command ffchar trains and characterises Forward-Forward networks: see
// `ffchar --help` and the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ffchar/ffchar/backend"
	"github.com/ffchar/ffchar/stages"
)

func main() {
	// Before anything else: it may start the program again with a better
	// OpenBLAS kernel.
	if err := backend.FixKernel(os.Stderr); err != nil {
		os.Exit(exitCode(err, os.Stderr))
	}
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var stopped atomic.Value
	go func() {
		s := <-sigs
		stopped.Store(s)
		cancel()
		// Work in progress stops at its next check of ctx and removes its
		// temporary files; a training run stops at its next batch and
		// stores its state there. A command blocked where ctx cannot
		// reach (a read from a FIFO, a hung network file system) still
		// ends within a second; everything ffchar writes is renamed into
		// place whole, so an exit at any point leaves nothing
		// half-written. Trainings get up to saveGrace to reach their next
		// batch and store their state.
		deadline := time.After(saveGrace)
		wait := time.After(stopGrace)
	loop:
		for {
			select {
			case <-sigs:
				break loop
			case <-deadline:
				break loop
			case <-wait:
				if stages.Training() == 0 {
					break loop
				}
				wait = time.After(50 * time.Millisecond)
			}
		}
		fmt.Fprintf(os.Stderr, "ffchar: stopped by %v\n", s)
		os.Exit(signalExit(s))
	}()
	err := run(ctx, os.Args, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	code := exitCode(err, os.Stderr)
	if s, ok := stopped.Load().(os.Signal); ok && code != 0 {
		code = signalExit(s)
	}
	os.Exit(code)
}

// stopGrace is how long a command may take to stop after SIGINT or
// SIGTERM before it exits anyway; saveGrace is how long it waits for
// trainings to stop at their next batch and store their state. Slurm's warning before a time limit
// (slurm submit's --signal) leaves more than that.
const (
	stopGrace = 500 * time.Millisecond
	saveGrace = 60 * time.Second
)

// ExitRequeue is the exit status after SIGTERM: the run stopped at a
// batch boundary and stored its state; running it again continues from
// there. It is EX_TEMPFAIL of sysexits.h, and the status on which the
// scripts of slurm submit requeue their job.
const ExitRequeue = 75

// signalExit maps the signal that stopped ffchar to its exit status: 130
// for SIGINT (a user's Ctrl-C), ExitRequeue for SIGTERM (a scheduler's
// time limit or preemption).
func signalExit(s os.Signal) int {
	if s == syscall.SIGTERM {
		return ExitRequeue
	}
	return 130
}

// usageError marks errors in how ffchar was called (exit status 2).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitCode prints err as one line and maps it to the exit status: 0 for
// success, 2 for usage errors, 130 for an interrupt, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "ffchar: %v\n", err)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		return 2
	case errors.Is(err, context.Canceled):
		return 130
	}
	return 1
}

// run is the whole program; main only maps its error to an exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return newApp(stdout, stderr).RunContext(ctx, args)
}
