package stages

import (
	"crypto/sha256"

	"github.com/ffchar/ffchar/internal/atomicfile"
)

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// writeFileAtomic writes b to path whole or not at all.
func writeFileAtomic(path string, b []byte) error { return atomicfile.WriteBytes(path, b) }
