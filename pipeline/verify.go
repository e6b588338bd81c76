package pipeline

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A NondeterminismError reports that recomputing an action gave an output
// different from the one in the cache: the action key does not capture
// everything the computation depends on, or the computation is not
// deterministic. Either way cached results of this stage cannot be
// trusted until it is fixed.
type NondeterminismError struct {
	Action ActionID
	Stage  string
	Output string
	// Old is the digest recorded in the cache, New the recomputed one. A
	// zero value with OldAbsent or NewAbsent set means the output exists
	// only on the other side.
	Old, New             OutputID
	OldAbsent, NewAbsent bool
}

func (e *NondeterminismError) Error() string {
	digest := func(id OutputID, absent bool) string {
		if absent {
			return "absent"
		}
		return id.String()
	}
	return fmt.Sprintf("pipeline: action %s (stage %s) is not reproducible: output %s was %s, recomputed %s",
		e.Action, e.Stage, e.Output, digest(e.Old, e.OldAbsent), digest(e.New, e.NewAbsent))
}

// VerifyDir compares the outputs in dir, freshly recomputed for key, with
// the entry stored for key. It returns nil if every output has the same
// name and digest, a *MissError if there is no readable entry to compare
// with, and otherwise one *NondeterminismError per differing output,
// joined, in name order.
func (c *Cache) VerifyDir(key Key, dir string) error {
	e, err := c.readEntry(key.ID)
	if err != nil {
		return err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("pipeline: reading outputs: %w", err)
	}
	var fresh []Output
	for _, de := range des {
		if !de.Type().IsRegular() {
			return fmt.Errorf("pipeline: output %s: not a regular file", filepath.Join(dir, de.Name()))
		}
		id, err := hashFile(filepath.Join(dir, de.Name()))
		if err != nil {
			return fmt.Errorf("pipeline: hashing output: %w", err)
		}
		fresh = append(fresh, Output{Name: de.Name(), ID: id})
	}
	return compareOutputs(e, fresh)
}

// VolatilePrefix starts the names of outputs that record how a job ran
// (wall time, host) rather than what it computed. Verification ignores
// their contents, though not their presence.
const VolatilePrefix = "volatile-"

// IsVolatile reports whether the output called name is volatile.
func IsVolatile(name string) bool { return strings.HasPrefix(name, VolatilePrefix) }

// compareOutputs compares two output lists sorted by name.
func compareOutputs(e *Entry, fresh []Output) error {
	var errs []error
	old := e.Outputs
	mismatch := func(name string) *NondeterminismError {
		return &NondeterminismError{Action: e.Action, Stage: e.Stage(), Output: name}
	}
	for len(old) > 0 || len(fresh) > 0 {
		switch {
		case len(fresh) == 0 || len(old) > 0 && old[0].Name < fresh[0].Name:
			m := mismatch(old[0].Name)
			m.Old, m.NewAbsent = old[0].ID, true
			errs = append(errs, m)
			old = old[1:]
		case len(old) == 0 || fresh[0].Name < old[0].Name:
			m := mismatch(fresh[0].Name)
			m.New, m.OldAbsent = fresh[0].ID, true
			errs = append(errs, m)
			fresh = fresh[1:]
		default:
			if old[0].ID != fresh[0].ID && !IsVolatile(old[0].Name) {
				m := mismatch(old[0].Name)
				m.Old, m.New = old[0].ID, fresh[0].ID
				errs = append(errs, m)
			}
			old, fresh = old[1:], fresh[1:]
		}
	}
	return errors.Join(errs...)
}

func hashFile(path string) (OutputID, error) {
	var id OutputID
	f, _, err := openRegular(path, 0)
	if err != nil {
		return id, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return id, err
	}
	h.Sum(id[:0])
	return id, nil
}
