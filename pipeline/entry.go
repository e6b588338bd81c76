package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// An Entry is what the cache records for one action: the key lines it was
// computed from and the outputs it produced.
type Entry struct {
	Action  ActionID
	Time    time.Time // when the entry was written
	Outputs []Output  // sorted by Name
	Lines   []string  // the key lines; Lines hash to Action
}

// An Output is one named output file of an entry.
type Output struct {
	Name string
	ID   OutputID
	Size int64
}

// Output returns the output called name.
func (e *Entry) Output(name string) (Output, bool) {
	for _, o := range e.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// Stage returns the stage name from the entry's first key line.
func (e *Entry) Stage() string { return stageOf(e.Lines) }

// Size returns the total size of the entry's outputs.
func (e *Entry) Size() int64 {
	var n int64
	for _, o := range e.Outputs {
		n += o.Size
	}
	return n
}

// The index entry file is text, one record per line, and ends with a line
// holding the SHA-256 of everything before it, so that a torn or scribbled
// file is always detected:
//
//	ffchar-cache v1 entry
//	action <hex>
//	time <unix nanoseconds>
//	outputs <n>
//	<output hex> <size> <name>      (n lines, sorted by name)
//	lines <m>
//	<key line>                      (m lines)
//	sum <hex>
const entryHeader = formatVersion + " entry\n"

// maxEntrySize bounds what Get reads, so that a garbage file cannot make
// it allocate without limit. Real entries are a few kilobytes.
const maxEntrySize = 16 << 20

func encodeEntry(e *Entry) []byte {
	var b bytes.Buffer
	b.WriteString(entryHeader)
	fmt.Fprintf(&b, "action %s\n", e.Action)
	fmt.Fprintf(&b, "time %d\n", e.Time.UnixNano())
	fmt.Fprintf(&b, "outputs %d\n", len(e.Outputs))
	for _, o := range e.Outputs {
		fmt.Fprintf(&b, "%s %d %s\n", o.ID, o.Size, o.Name)
	}
	fmt.Fprintf(&b, "lines %d\n", len(e.Lines))
	for _, l := range e.Lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256(b.Bytes())
	fmt.Fprintf(&b, "sum %x\n", sum)
	return b.Bytes()
}

// decodeEntry parses an index entry file. The error is the reason for a
// miss, phrased for a user.
func decodeEntry(data []byte) (*Entry, error) {
	if len(data) == 0 {
		return nil, errors.New("index entry empty")
	}
	if !bytes.HasPrefix(data, []byte(entryHeader)) {
		if len(data) < len(entryHeader) && bytes.HasPrefix([]byte(entryHeader), data) {
			return nil, errors.New("index entry truncated")
		}
		return nil, errors.New("index entry unparsable: bad header")
	}
	// The last line must be the checksum of everything before it. A file
	// cut anywhere lacks it.
	if data[len(data)-1] != '\n' {
		return nil, errors.New("index entry truncated")
	}
	start := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	if start <= len(entryHeader) {
		return nil, errors.New("index entry truncated")
	}
	last := string(data[start : len(data)-1])
	sumHex, ok := strings.CutPrefix(last, "sum ")
	if !ok {
		return nil, errors.New("index entry truncated")
	}
	want, err := hex.DecodeString(sumHex)
	if err != nil || len(want) != sha256.Size {
		return nil, errors.New("index entry unparsable: bad checksum line")
	}
	if got := sha256.Sum256(data[:start]); !bytes.Equal(got[:], want) {
		return nil, errors.New("index entry checksum mismatch")
	}

	p := &entryParser{lines: strings.Split(string(data[len(entryHeader):start-1]), "\n")}
	e := new(Entry)
	e.Action, err = ParseActionID(p.field("action"))
	if err != nil {
		return nil, p.errorf("action: %v", err)
	}
	ns, err := strconv.ParseInt(p.field("time"), 10, 64)
	if err != nil {
		return nil, p.errorf("time: %v", err)
	}
	e.Time = time.Unix(0, ns)
	n := p.count("outputs")
	for i := 0; i < n && p.err == nil; i++ {
		o, err := parseOutputLine(p.next())
		if err != nil {
			return nil, p.errorf("%v", err)
		}
		if i > 0 && e.Outputs[i-1].Name >= o.Name {
			return nil, p.errorf("outputs not sorted or duplicated")
		}
		e.Outputs = append(e.Outputs, o)
	}
	m := p.count("lines")
	for i := 0; i < m && p.err == nil; i++ {
		e.Lines = append(e.Lines, p.next())
	}
	if p.err == nil && p.i != len(p.lines) {
		return nil, p.errorf("trailing data")
	}
	if p.err != nil {
		return nil, p.err
	}
	return e, nil
}

func parseOutputLine(l string) (Output, error) {
	f := strings.Split(l, " ")
	if len(f) != 3 {
		return Output{}, fmt.Errorf("bad output line")
	}
	id, err := ParseOutputID(f[0])
	if err != nil {
		return Output{}, err
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || size < 0 {
		return Output{}, fmt.Errorf("bad output size %q", f[1])
	}
	if !validOutputName(f[2]) {
		return Output{}, fmt.Errorf("bad output name %q", f[2])
	}
	return Output{Name: f[2], ID: id, Size: size}, nil
}

type entryParser struct {
	lines []string
	i     int
	err   error
}

func (p *entryParser) next() string {
	if p.err != nil {
		return ""
	}
	if p.i >= len(p.lines) {
		p.err = errors.New("index entry unparsable: unexpected end")
		return ""
	}
	l := p.lines[p.i]
	p.i++
	return l
}

func (p *entryParser) field(name string) string {
	l := p.next()
	v, ok := strings.CutPrefix(l, name+" ")
	if !ok && p.err == nil {
		p.err = fmt.Errorf("index entry unparsable: line %d: want %q", p.i+1, name)
	}
	return v
}

func (p *entryParser) count(name string) int {
	s := p.field(name)
	if p.err != nil {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > len(p.lines) {
		p.err = fmt.Errorf("index entry unparsable: line %d: bad %s count", p.i+1, name)
		return 0
	}
	return n
}

func (p *entryParser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	// +1 for the header line, which is not in p.lines.
	return fmt.Errorf("index entry unparsable: line %d: %s", p.i+1, fmt.Sprintf(format, args...))
}
