package backend

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
)

// Portable arithmetic pins everything below ffchar's own Go code that
// decides the bits of a result to one choice that every x86-64 CPU with
// AVX2 and FMA executes identically: OpenBLAS's Haswell kernel (the same
// instructions and blocking on any Intel or AMD processor), one BLAS
// thread, one OpenBLAS version, and Go code compiled for the baseline
// x86-64 (GOAMD64=v1: from v3 on, the compiler fuses multiplies and adds
// into FMA instructions, which round once instead of twice). The Go
// toolchain's version is in every key already.
const (
	PortableKernel  = "Haswell"
	PortableVersion = "0.3.21"
	PortableThreads = 1
	PortableGOAMD64 = "v1"
)

// Arithmetic modes.
const (
	// Native lets OpenBLAS choose the kernel for the CPU (after
	// FixKernel): the fastest, and reproducible on one machine.
	Native = "native"
	// PortableMode is portable arithmetic: see PortableKernel.
	PortableMode = "portable"
)

// Modes lists the arithmetic modes.
var Modes = []string{Native, PortableMode}

// portableExecEnv marks a process that EnsurePortable started again with
// OPENBLAS_CORETYPE set; its value is the kernel OpenBLAS had chosen.
const portableExecEnv = "FFCHAR_PORTABLE_EXEC"

var portable bool

// Portable reports whether EnsurePortable succeeded in this process:
// everything PortablePins names is in force.
func Portable() bool { return portable }

// Arithmetic returns the mode in force: PortableMode or Native.
func Arithmetic() string {
	if portable {
		return PortableMode
	}
	return Native
}

// A Pin is one thing portable arithmetic fixes, as a label and a value.
type Pin struct{ Label, Value string }

// PortablePins lists what portable arithmetic pins, in a fixed order: the
// same labels appear in key lines, run.json, published provenance and
// --version.
func PortablePins() []Pin {
	return []Pin{
		{"blas_library", "openblas " + PortableVersion},
		{"blas_kernel", strings.ToLower(PortableKernel)},
		{"blas_threads", fmt.Sprint(PortableThreads)},
		{"goamd64", PortableGOAMD64},
	}
}

// goamd64 is the GOAMD64 level the binary was built for ("" off amd64).
var goamd64 = func() string {
	if runtime.GOARCH != "amd64" {
		return ""
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "GOAMD64" {
				return s.Value
			}
		}
	}
	return "v1" // the default, which go build does not always record
}()

// Build describes the program and library that would compute in portable
// mode: the inputs of CheckPortable other than the CPU.
type Build struct {
	Backend string // Name()
	Config  string // openblas_get_config, "" for gonum
	GOARCH  string
	GOAMD64 string
}

// HostBuild describes this program.
func HostBuild() Build {
	return Build{Backend: Name(), Config: Config(), GOARCH: runtime.GOARCH, GOAMD64: goamd64}
}

// CheckPortable says, in one line, why portable arithmetic cannot run on
// cpu with build, or returns nil when it can. The kernel itself is not
// checked: EnsurePortable selects it.
func CheckPortable(cpu CPU, b Build) error {
	if b.Backend != "openblas" {
		return fmt.Errorf("portable arithmetic needs the OpenBLAS backend (make BACKEND=openblas); this ffchar computes with %s", b.Backend)
	}
	if b.GOARCH != "amd64" {
		return fmt.Errorf("portable arithmetic needs an x86-64 CPU; this ffchar is built for %s", b.GOARCH)
	}
	var missing []string
	if !cpu.AVX2 {
		missing = append(missing, "AVX2")
	}
	if !cpu.FMA {
		missing = append(missing, "FMA")
	}
	if len(missing) > 0 {
		return fmt.Errorf("portable arithmetic needs AVX2 and FMA; this CPU (%s) has no %s", cpuName(cpu), strings.Join(missing, " or "))
	}
	if v := libraryVersion(b.Config); v != PortableVersion {
		if v == "" {
			v = "of unknown version (" + b.Config + ")"
		}
		return fmt.Errorf("portable arithmetic is pinned to OpenBLAS %s; this ffchar is linked with OpenBLAS %s", PortableVersion, v)
	}
	if !strings.Contains(b.Config, "DYNAMIC_ARCH") && !strings.Contains(strings.ToLower(b.Config), " "+strings.ToLower(PortableKernel)+" ") {
		return fmt.Errorf("portable arithmetic needs OpenBLAS's %s kernel; this OpenBLAS is built for one other kernel only (%s): install a DYNAMIC_ARCH build (Debian's libopenblas0-pthread)", PortableKernel, b.Config)
	}
	if b.GOAMD64 != PortableGOAMD64 {
		return fmt.Errorf("portable arithmetic needs Go code built with GOAMD64=%s; this ffchar is built with GOAMD64=%s, whose fused multiply-adds round differently", PortableGOAMD64, b.GOAMD64)
	}
	return nil
}

func cpuName(c CPU) string {
	if c.Model != "" {
		return c.Model
	}
	return "model unknown"
}

// libraryVersion returns the version in an openblas_get_config string.
func libraryVersion(config string) string {
	f := strings.Fields(config)
	if len(f) >= 2 && f[0] == "OpenBLAS" {
		return f[1]
	}
	return ""
}

// EnsurePortable puts the process in portable arithmetic, or returns the
// one-line reason it cannot. OpenBLAS chooses its kernel when it loads, so
// when it chose another one EnsurePortable starts the program again, once,
// with OPENBLAS_CORETYPE=Haswell (replacing any value the user set) and
// does not return; call it before the program writes anything. A process
// that is still on another kernel after that is refused, never run with
// other bits.
func EnsurePortable() error {
	if portable {
		return nil
	}
	if err := CheckPortable(HostCPU(), HostBuild()); err != nil {
		return err
	}
	from := os.Getenv(portableExecEnv)
	if k := Kernel(); !strings.EqualFold(k, PortableKernel) {
		if from != "" {
			return fmt.Errorf("portable arithmetic needs OpenBLAS's %s kernel, but OpenBLAS chose %s although %s=%s was set",
				PortableKernel, k, CoretypeEnv, PortableKernel)
		}
		env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
			name, _, _ := strings.Cut(kv, "=")
			return name == CoretypeEnv || name == portableExecEnv
		})
		env = append(env, CoretypeEnv+"="+PortableKernel, portableExecEnv+"="+k)
		err := reexec(env)
		return fmt.Errorf("portable arithmetic: starting again with %s=%s failed: %v", CoretypeEnv, PortableKernel, err)
	}
	if from != "" {
		// The kernel is loaded; programs this one starts choose their own.
		os.Unsetenv(portableExecEnv)
		os.Unsetenv(CoretypeEnv)
	}
	setThreads(PortableThreads)
	portable = true
	return nil
}

// PortableStatus is --version's line about portable arithmetic: what it
// pins, and whether this machine can run it.
func PortableStatus() string {
	var pins []string
	for _, p := range PortablePins() {
		pins = append(pins, p.Label+"="+p.Value)
	}
	s := "portable arithmetic pins " + strings.Join(pins, " ")
	switch err := CheckPortable(HostCPU(), HostBuild()); {
	case portable:
		return s + " (in force)"
	case err != nil:
		return s + " (unavailable: " + err.Error() + ")"
	}
	return s + " (available)"
}
