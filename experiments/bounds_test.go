package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileBounds (F4, F5): a deeply nested file, arrays, inline tables
// or dotted keys, and an unbounded file (a link to /dev/zero, a file
// over the size limit) are refused with one line before decoding. The
// limits are far above what a real experiment file needs (the bundled
// ones are under 6 KB and nest three levels).
func TestFileBounds(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const deep = 10000
	cases := []struct{ name, path, want string }{
		{"nested arrays", write("arrays.toml", head+"x = "+strings.Repeat("[", deep)+strings.Repeat("]", deep)+"\n"), "nested deeper than"},
		{"nested inline tables", write("tables.toml", head+"x = "+strings.Repeat("{a=", deep)+"1"+strings.Repeat("}", deep)+"\n"), "nested deeper than"},
		{"dotted key", write("dotted.toml", head+strings.Repeat("a.", deep)+"a = 1\n"), "nested deeper than"},
		{"dotted header", write("header.toml", head+"["+strings.Repeat("a.", deep)+"a]\n"), "nested deeper than"},
		{"too large", write("large.toml", head+"notes = \""+strings.Repeat("x", MaxFileSize)+"\"\n"), "larger than"},
	}
	zero := filepath.Join(dir, "zero.toml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct{ name, path, want string }{"link to /dev/zero", zero, "not a regular file"})
	for _, c := range cases {
		_, err := Load(c.path)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line saying %q", c.name, err, c.want)
		}
	}
	// Nesting and dots inside strings and comments are not structure, and
	// floats are not dotted keys.
	ok := head + "# " + strings.Repeat("[{a.", 100) + "\n[grid]\ndepth = [1]\n"
	ok = strings.Replace(ok, "[data]\n", "[data]\ntrain_limit = 1000\n", 1)
	ok = "description = \"" + strings.Repeat("[{.", 100) + "\"\nnotes = '''" + strings.Repeat("a.b.", 100) + "'''\n" + ok
	ok += "[analysis]\nthresholds = [" + strings.Repeat("0.5, ", 60) + "0.5]\n"
	if _, err := Parse("ok.toml", []byte(ok)); err != nil && strings.Contains(err.Error(), "nested") {
		t.Errorf("a file nested only in strings and comments: %v", err)
	}
}
