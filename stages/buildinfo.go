package stages

import "runtime/debug"

// buildRevision is the VCS revision recorded in the binary ("" when the
// build did not record one), with "+dirty" for modified trees.
var buildRevision = func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}()

// Revision returns the VCS revision the binary was built from, when the
// build recorded it (the Makefile passes -buildvcs=true), for published
// results. It never goes into a cached output.
func Revision() string { return buildRevision }
