package backend

import (
	"bufio"
	"fmt"
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
	// FakeCPUEnv is for tests only: "avx2" hides the CPU's AVX-512 from
	// the kernel checks, so that refusing a kernel the CPU cannot run can
	// be exercised on a CPU that runs it.
	FakeCPUEnv = "FFCHAR_TEST_CPU"
)

// CPU is what the kernel choice needs to know about the processor. The
// feature flags are set only when the operating system also supports them.
type CPU struct {
	Model                                 string // /proc/cpuinfo's model name, "" when unknown
	AMD                                   bool   // AuthenticAMD or HygonGenuine (Zen cores)
	AVX                                   bool
	AVX2, FMA                             bool
	AVX512F, AVX512BW, AVX512DQ, AVX512VL bool
}

// HostCPU reports the processor ffchar runs on.
func HostCPU() CPU {
	vendor, model := cpuinfo()
	return CPU{
		Model:    model,
		AMD:      vendor == "AuthenticAMD" || vendor == "HygonGenuine",
		AVX:      cpu.X86.HasAVX,
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

// kernelNeeds lists, for the OpenBLAS kernels that need more than SSE3,
// what the CPU must have to run them (OpenBLAS 0.3.21's
// driver/others/dynamic.c checks the same before choosing one itself, but
// not for a kernel forced through OPENBLAS_CORETYPE: that ends in SIGILL
// at the first matrix product).
var kernelNeeds = map[string]struct {
	what string
	runs func(CPU) bool
}{
	"skylakex":       {"AVX-512 (F, BW, DQ, VL)", CPU.hasAVX512},
	"cooperlake":     {"AVX-512 (F, BW, DQ, VL)", CPU.hasAVX512},
	"sapphirerapids": {"AVX-512 (F, BW, DQ, VL)", CPU.hasAVX512},
	"haswell":        {"AVX2 and FMA", func(c CPU) bool { return c.AVX2 && c.FMA }},
	"zen":            {"AVX2 and FMA", func(c CPU) bool { return c.AVX2 && c.FMA }},
	"sandybridge":    {"AVX", func(c CPU) bool { return c.AVX || c.AVX2 }},
}

func (c CPU) hasAVX512() bool { return c.AVX512F && c.AVX512BW && c.AVX512DQ && c.AVX512VL }

// Runs reports whether the CPU can run the OpenBLAS kernel (any case),
// and if not, what it lacks. Names it does not know are taken to run.
func (c CPU) Runs(kernel string) (ok bool, lacks string) {
	n, known := kernelNeeds[strings.ToLower(kernel)]
	if !known || n.runs(c) {
		return true, ""
	}
	return false, n.what
}

// safeKernel is the kernel to use in place of one the CPU cannot run.
func (c CPU) safeKernel() string {
	switch k := c.Kernel(); {
	case k != "":
		return k
	case c.AVX:
		return "Sandybridge"
	}
	return "Prescott"
}

// KernelAction is what to do about the kernel OpenBLAS chose.
type KernelAction struct {
	// Coretype, when set, is the kernel to start the process again with
	// (through CoretypeEnv), in place of the kernel From: a generic one,
	// or one the CPU cannot run.
	Coretype, From string
	// Warning, when set, is one line for the user: the kernel is generic
	// and ffchar cannot fix it, or it was replaced.
	Warning string
	// Fatal, when set, is one line saying why the program must not go on:
	// the kernel loaded cannot run on this CPU and starting again did not
	// change it.
	Fatal string
}

// DecideKernel decides, from the kernel OpenBLAS chose, its build
// configuration (openblas_get_config), the environment (lookupEnv, as
// os.LookupEnv) and, only when needed, the CPU (hostCPU, which reads
// /proc/cpuinfo), whether to re-execute with another kernel. A kernel
// the CPU cannot run (forced through CoretypeEnv) is replaced with a
// warning; otherwise an explicit CoretypeEnv from the user is kept.
// FixedEnv, when present at all, even empty, guards against a second
// re-execution. corename is empty for the gonum backend, which has no
// kernels.
func DecideKernel(hostCPU func() CPU, corename, config string, lookupEnv func(string) (string, bool)) KernelAction {
	if corename == "" {
		return KernelAction{}
	}
	from, fixed := lookupEnv(FixedEnv)
	coretype, _ := lookupEnv(CoretypeEnv)
	if _, known := kernelNeeds[strings.ToLower(corename)]; known {
		if ok, lacks := hostCPU().Runs(corename); !ok {
			if fixed {
				return KernelAction{Fatal: fmt.Sprintf("OpenBLAS kernel %s needs %s, which this CPU lacks, and starting again with %s=%s did not change it: unset %s",
					corename, lacks, CoretypeEnv, coretype, CoretypeEnv)}
			}
			safe := hostCPU().safeKernel()
			return KernelAction{Coretype: safe, From: corename,
				Warning: fmt.Sprintf("%s=%s: this CPU cannot run the %s kernel (it lacks %s); using %s instead", CoretypeEnv, coretype, corename, lacks, safe)}
		}
	}
	if fixed {
		if IsGeneric(corename) && from != "" {
			return KernelAction{Warning: "OpenBLAS kept the generic kernel " + corename + " although " +
				CoretypeEnv + "=" + coretype + " was set: matrix products run several times slower than they could"}
		}
		return KernelAction{}
	}
	if strings.TrimSpace(coretype) != "" {
		return KernelAction{}
	}
	if fake, _ := lookupEnv(FakeCorenameEnv); fake != "" {
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
