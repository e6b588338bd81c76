//go:build !unix

package backend

import "errors"

func reexec([]string) error { return errors.New("not supported on this system") }
