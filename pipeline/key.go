package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// formatVersion salts every action key and heads every file the cache
// writes. Changing the meaning of a key line or the layout on disk means
// changing this string, so that an old cache can never produce a hit for a
// new program: old entries simply stop being found and gc removes them.
const formatVersion = "ffchar-cache v1"

// HashSize is the size in bytes of ActionID and OutputID.
const HashSize = sha256.Size

// An ActionID is the key of one computation: the salted hash of the
// labelled lines that describe it completely (stage, parameters, the
// OutputIDs of its inputs). Two runs with equal ActionIDs must produce
// equal outputs.
type ActionID [HashSize]byte

// An OutputID is the SHA-256 of the bytes of one output file.
type OutputID [HashSize]byte

// String returns id in lower-case hexadecimal.
func (id ActionID) String() string { return hex.EncodeToString(id[:]) }

// String returns id in lower-case hexadecimal.
func (id OutputID) String() string { return hex.EncodeToString(id[:]) }

// ParseActionID parses the hexadecimal form returned by ActionID.String.
func ParseActionID(s string) (ActionID, error) {
	var id ActionID
	err := parseHexID(id[:], s)
	return id, err
}

// ParseOutputID parses the hexadecimal form returned by OutputID.String.
func ParseOutputID(s string) (OutputID, error) {
	var id OutputID
	err := parseHexID(id[:], s)
	return id, err
}

func parseHexID(dst []byte, s string) error {
	if len(s) != 2*HashSize {
		return fmt.Errorf("pipeline: invalid ID %q: want %d hexadecimal digits", s, 2*HashSize)
	}
	// hex.Decode accepts upper case; the cache only ever writes lower case,
	// and accepting both would give one ID two spellings.
	if strings.ToLower(s) != s {
		return fmt.Errorf("pipeline: invalid ID %q: not lower-case hexadecimal", s)
	}
	if _, err := hex.Decode(dst, []byte(s)); err != nil {
		return fmt.Errorf("pipeline: invalid ID %q: %v", s, err)
	}
	return nil
}

// A Key is an ActionID together with the lines it was computed from.
// The lines are stored in the cache entry so that a later run can say
// which of them changed (see Diff).
type Key struct {
	ID    ActionID
	Lines []string
}

// Stage returns the stage name recorded in the first key line, or "" if
// the lines do not start with one.
func (k Key) Stage() string { return stageOf(k.Lines) }

func stageOf(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	s, ok := strings.CutPrefix(lines[0], "stage ")
	if !ok {
		return ""
	}
	return s
}

// keyID computes the ActionID of a list of key lines, exactly as Hash does
// while they are written.
func keyID(lines []string) ActionID {
	h := sha256.New()
	writeSalt(h)
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	var id ActionID
	h.Sum(id[:0])
	return id
}

func writeSalt(h hash.Hash) {
	h.Write([]byte(formatVersion))
	h.Write([]byte{'\n'})
}

// A Hash builds an action key from labelled lines. Each method appends one
// line "kind label value"; the ActionID is the salted SHA-256 of all lines
// in order. A stage writes the same lines in the same order every time:
// no map iteration, no absolute paths, no timestamps, nothing that varies
// between machines unless the computation does.
//
// Labels are non-empty and contain no white space or control characters;
// a kind and label pair may appear only once. Violations are programming
// errors and panic.
type Hash struct {
	h     hash.Hash
	lines []string
	seen  map[string]bool
}

// NewHash returns a Hash for a computation of the named stage. The first
// line is "stage <stage>".
func NewHash(stage string) *Hash {
	checkLabel(stage)
	h := &Hash{h: sha256.New(), seen: make(map[string]bool)}
	writeSalt(h.h)
	h.add("stage", stage, "")
	return h
}

// Param writes the line "param <label> <value>". The value must be a
// bool, a string (written quoted, so its type shows), a signed or
// unsigned integer of any size, or a float32 or float64 (written as by
// Float). Any other type panics: composite values should be written as
// several labelled lines so that Diff can say which part changed.
func (h *Hash) Param(label string, v any) {
	var s string
	switch v := v.(type) {
	case bool:
		s = strconv.FormatBool(v)
	case string:
		s = strconv.Quote(v)
	case int:
		s = strconv.FormatInt(int64(v), 10)
	case int8:
		s = strconv.FormatInt(int64(v), 10)
	case int16:
		s = strconv.FormatInt(int64(v), 10)
	case int32:
		s = strconv.FormatInt(int64(v), 10)
	case int64:
		s = strconv.FormatInt(v, 10)
	case uint:
		s = strconv.FormatUint(uint64(v), 10)
	case uint8:
		s = strconv.FormatUint(uint64(v), 10)
	case uint16:
		s = strconv.FormatUint(uint64(v), 10)
	case uint32:
		s = strconv.FormatUint(uint64(v), 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case uintptr:
		s = strconv.FormatUint(uint64(v), 10)
	case float32:
		s = formatFloat(float64(v))
	case float64:
		s = formatFloat(v)
	default:
		panic("pipeline: Hash.Param: unsupported value type")
	}
	h.add("param", label, s)
}

// Float writes the line "param <label> <value>" with v in the shortest
// decimal form that parses back to exactly v, so that two values differ in
// the key if and only if they differ as float64. A float32 converted to
// float64 keeps its exact value (0.1f is written 0.10000000149011612).
func (h *Hash) Float(label string, v float64) {
	h.add("param", label, formatFloat(v))
}

func formatFloat(v float64) string {
	if v == 0 && math.Signbit(v) {
		return "-0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Input writes the line "input <label> <hex>": the computation reads the
// output whose content hash is id.
func (h *Hash) Input(label string, id OutputID) {
	h.add("input", label, id.String())
}

// Data writes the line "data <label> <hex>" where hex is the SHA-256 of b:
// for inputs that are not cache outputs, such as the bytes of an
// experiment file or a program version string too long to read.
func (h *Hash) Data(label string, b []byte) {
	sum := sha256.Sum256(b)
	h.add("data", label, hex.EncodeToString(sum[:]))
}

// Line writes s as a line of its own. s must not contain a newline. By
// convention s is "kind label value"; Diff compares lines by their first
// two fields.
func (h *Hash) Line(s string) {
	if strings.ContainsAny(s, "\n\r") || !utf8.ValidString(s) {
		panic("pipeline: Hash.Line: line contains a newline or invalid UTF-8")
	}
	h.write(s)
}

func (h *Hash) add(kind, label, value string) {
	checkLabel(label)
	id := kind + " " + label
	if h.seen[id] {
		panic("pipeline: Hash: label written twice")
	}
	h.seen[id] = true
	if value == "" {
		h.write(id)
		return
	}
	h.write(id + " " + value)
}

func (h *Hash) write(line string) {
	h.lines = append(h.lines, line)
	h.h.Write([]byte(line))
	h.h.Write([]byte{'\n'})
}

// Sum returns the ActionID of the lines written so far.
func (h *Hash) Sum() ActionID {
	var id ActionID
	h.h.Sum(id[:0])
	return id
}

// Lines returns a copy of the lines written so far.
func (h *Hash) Lines() []string {
	return append([]string(nil), h.lines...)
}

// Key returns the ActionID and lines written so far.
func (h *Hash) Key() Key {
	return Key{ID: h.Sum(), Lines: h.Lines()}
}

func checkLabel(s string) {
	if !validLabel(s) {
		panic("pipeline: invalid label: empty, or contains white space, control characters or invalid UTF-8")
	}
}

func validLabel(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// validOutputName reports whether name can name an output file: a plain
// file name made of letters, digits and ".+-_", not starting with a dot
// (which the cache reserves for its temporary files). Names never contain
// ':', so "input <job>:<name>" lines are unambiguous.
func validOutputName(name string) bool {
	if name == "" || len(name) > 200 || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '+' || c == '-' || c == '_':
		default:
			return false
		}
	}
	return true
}
