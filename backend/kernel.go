package backend

import (
	"bufio"
	"os"
	"slices"
	"strings"

	"golang.org/x/sys/cpu"
)

// Environment variables of the kernel fix-up.
const (
	// CoretypeEnv is OpenBLAS's own override of its kernel choice. OpenBLAS
	// reads it once, when the library is loaded, so a process can only
	// change its kernel by starting again with it set.
	CoretypeEnv = "OPENBLAS_CORETYPE"
	// FixedEnv marks a process that ffchar re-executed with CoretypeEnv
	// set; its value is the kernel OpenBLAS had chosen by itself. It stops
	// a second re-execution whatever happens.
	FixedEnv = "FFCHAR_BLAS_FIXED"
	// FakeCorenameEnv is for tests only: when CoretypeEnv is unset, the
	// fix-up takes its value for the kernel OpenBLAS chose, so that the
	// fallback to a generic kernel can be exercised on a CPU that OpenBLAS
	// recognises.
	FakeCorenameEnv = "FFCHAR_TEST_BLAS_CORENAME"
)

// CPU is what the kernel choice needs to know about the processor. The
// feature flags are set only when the operating system also supports them.
type CPU struct {
	Model                                 string // /proc/cpuinfo's model name, "" when unknown
	AMD                                   bool   // AuthenticAMD or HygonGenuine (Zen cores)
	AVX2, FMA                             bool
	AVX512F, AVX512BW, AVX512DQ, AVX512VL bool
}

// HostCPU reports the processor ffchar runs on.
func HostCPU() CPU {
	vendor, model := cpuinfo()
	return CPU{
		Model:    model,
		AMD:      vendor == "AuthenticAMD" || vendor == "HygonGenuine",
		AVX2:     cpu.X86.HasAVX2,
		FMA:      cpu.X86.HasFMA,
		AVX512F:  cpu.X86.HasAVX512F,
		AVX512BW: cpu.X86.HasAVX512BW,
		AVX512DQ: cpu.X86.HasAVX512DQ,
		AVX512VL: cpu.X86.HasAVX512VL,
	}
}

// cpuinfo reads the vendor and model name from /proc/cpuinfo:
// golang.org/x/sys/cpu reports neither. Elsewhere both are unknown and
// Haswell stands in for Zen, whose kernels are the same instructions with
// different blocking.
func cpuinfo() (vendor, model string) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() && (vendor == "" || model == "") {
		k, v, ok := strings.Cut(s.Text(), ":")
		switch k = strings.TrimSpace(k); {
		case !ok:
		case k == "vendor_id" && vendor == "":
			vendor = strings.TrimSpace(v)
		case k == "model name" && model == "":
			model = strings.TrimSpace(v)
		}
	}
	return vendor, model
}

// Kernel returns the OpenBLAS kernel that matches the CPU's features, or ""
// when the CPU has no AVX2 and FMA (then a generic kernel is right).
func (c CPU) Kernel() string {
	switch {
	case !c.AVX2 || !c.FMA:
		return ""
	case c.AVX512F && c.AVX512BW && c.AVX512DQ && c.AVX512VL:
		return "SkylakeX"
	case c.AMD:
		return "Zen"
	}
	return "Haswell"
}

// genericKernels are OpenBLAS's x86 kernels older than Haswell: what it
// falls back to for a CPU it does not recognise (a hypervisor often hides
// the model). Kernel names it may add later are not here, so an unknown
// name is never replaced.
var genericKernels = []string{
	"unknown", "katmai", "coppermine", "northwood", "prescott", "banias",
	"atom", "core2", "penryn", "dunnington", "nehalem", "athlon", "opteron",
	"opteron_sse3", "barcelona", "nano", "sandybridge", "bobcat", "bulldozer",
	"piledriver", "steamroller", "excavator",
}

// IsGeneric reports whether the OpenBLAS kernel name (any case: static
// builds report it in capitals) is older than Haswell.
func IsGeneric(kernel string) bool {
	return slices.Contains(genericKernels, strings.ToLower(kernel))
}

// KernelAction is what to do about the kernel OpenBLAS chose.
type KernelAction struct {
	// Coretype, when set, is the kernel to start the process again with
	// (through CoretypeEnv), in place of the generic kernel From.
	Coretype, From string
	// Warning, when set, is one line for the user: the kernel is generic
	// and ffchar cannot fix it.
	Warning string
}

// DecideKernel decides, from the kernel OpenBLAS chose, its build
// configuration (openblas_get_config), the environment and, only for a
// generic kernel, the CPU (hostCPU, which reads /proc/cpuinfo), whether to
// re-execute with another kernel. An explicit CoretypeEnv from the user is
// always kept; FixedEnv guards against a second re-execution. corename is
// empty for the gonum backend, which has no kernels.
func DecideKernel(hostCPU func() CPU, corename, config string, getenv func(string) string) KernelAction {
	if corename == "" {
		return KernelAction{}
	}
	if from := getenv(FixedEnv); from != "" {
		if IsGeneric(corename) {
			return KernelAction{Warning: "OpenBLAS kept the generic kernel " + corename + " although " +
				CoretypeEnv + "=" + getenv(CoretypeEnv) + " was set: matrix products run several times slower than they could"}
		}
		return KernelAction{}
	}
	if getenv(CoretypeEnv) != "" {
		return KernelAction{}
	}
	if fake := getenv(FakeCorenameEnv); fake != "" {
		corename = fake
	}
	if !IsGeneric(corename) {
		return KernelAction{}
	}
	want := hostCPU().Kernel() // read only for a generic kernel
	if want == "" {
		return KernelAction{}
	}
	if !strings.Contains(config, "DYNAMIC_ARCH") {
		return KernelAction{Warning: "OpenBLAS was built for the generic kernel " + corename + " only, on a CPU that runs " +
			want + "'s: matrix products run several times slower than they could; install a DYNAMIC_ARCH build (Debian's libopenblas0-pthread)"}
	}
	return KernelAction{Coretype: want, From: corename}
}
