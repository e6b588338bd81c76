//go:build unix

package backend

import (
	"os"
	"syscall"
)

// reexec replaces the process by the same executable with the same
// arguments and env; it returns only on failure.
func reexec(env []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, env)
}
