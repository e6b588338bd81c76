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
	"syscall"
	"time"

	"github.com/ffchar/ffchar/backend"
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
	go func() {
		s := <-sigs
		cancel()
		// Work in progress stops at its next check of ctx and removes its
		// temporary files. A command blocked where ctx cannot reach (a
		// read from a FIFO, a hung network file system) still ends within
		// a second; everything ffchar writes is renamed into place whole,
		// so an exit at any point leaves nothing half-written.
		select {
		case <-sigs:
		case <-time.After(stopGrace):
		}
		fmt.Fprintf(os.Stderr, "ffchar: stopped by %v\n", s)
		os.Exit(130)
	}()
	err := run(ctx, os.Args, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(exitCode(err, os.Stderr))
}

// stopGrace is how long a command may take to stop after SIGINT or
// SIGTERM before it exits anyway.
const stopGrace = 500 * time.Millisecond

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
