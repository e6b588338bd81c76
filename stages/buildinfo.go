package stages

import "runtime/debug"

// buildRevision and buildDirty are the VCS revision recorded in the
// binary ("" when the build did not record one) and whether its tree was
// modified.
var buildRevision, buildDirty = func() (rev string, dirty bool) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return rev, dirty && rev != ""
}()

// Revision returns the VCS revision the binary was built from, when the
// build recorded it (the Makefile passes -buildvcs=auto), for published
// results. It never goes into a cached output.
func Revision() string { return buildRevision }

// Dirty reports whether the tree the binary was built from had
// uncommitted changes.
func Dirty() bool { return buildDirty }
