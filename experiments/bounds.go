package experiments

import (
	"fmt"
	"io"
	"os"
)

// MaxFileSize is the largest experiment file read, in bytes. The bundled
// files are under 6 KB; the limit only stops an unbounded input (a link
// to /dev/zero, a runaway generator) before it is read into memory.
const MaxFileSize = 1 << 20

// MaxDepth is the deepest nesting of arrays, inline tables and dotted
// key segments an experiment file may have. The bundled files nest three
// levels; the TOML decoder's cost grows with depth faster than with size
// (a 40 KB file nested 10,000 deep took 4 GB), so depth is checked before
// decoding.
const MaxDepth = 32

// checkBounds refuses data larger than MaxFileSize or nested deeper than
// MaxDepth, without decoding it. It scans TOML's lexical structure only
// as far as needed: strings and comments are skipped, brackets and braces
// outside them counted, and dots counted between separators (a key
// "a.b.c" has two, a float one).
func checkBounds(data []byte) error {
	if len(data) > MaxFileSize {
		return &Error{Msg: fmt.Sprintf("larger than %d bytes (an experiment file is a few KB)", MaxFileSize)}
	}
	line, depth, dots := 1, 0, 0
	deep := func() error {
		return &Error{Msg: fmt.Sprintf("line %d: nested deeper than %d levels (arrays, inline tables or dotted keys)", line, MaxDepth)}
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			// A string: basic or literal, single- or multi-line.
			quote := []byte{c}
			if i+2 < len(data) && data[i+1] == c && data[i+2] == c {
				quote = []byte{c, c, c}
			}
			i += len(quote)
			for ; i < len(data); i++ {
				if data[i] == '\n' {
					line++
				}
				if c == '"' && data[i] == '\\' {
					i++
					continue
				}
				if data[i] == c && i+len(quote) <= len(data) && string(data[i:i+len(quote)]) == string(quote) {
					i += len(quote) - 1
					break
				}
			}
		case '[', '{':
			depth++
			dots = 0
			if depth > MaxDepth {
				return deep()
			}
		case ']', '}':
			depth--
			dots = 0
		case '=', ',':
			dots = 0
		case '.':
			dots++
			if dots > MaxDepth {
				return deep()
			}
		}
	}
	return nil
}

// readBounded reads the regular file at path, at most MaxFileSize bytes.
// What path names is checked before it is opened: a FIFO would block the
// open, and a device such as /dev/zero never ends.
func readBounded(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Msg: "not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &Error{Msg: fmt.Sprintf("larger than %d bytes (an experiment file is a few KB)", MaxFileSize)}
	}
	return data, nil
}
