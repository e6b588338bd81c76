package figures

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Formats lists the formats Write and Save produce, by file extension.
var Formats = []string{"png", "svg", "pdf"}

// PNGResolution is the resolution of PNG output, in dots per inch.
const PNGResolution = 300

// Write renders f in format ("png", "svg" or "pdf") to w. SVG and PNG
// output is a function of f alone: the same figure gives the same bytes.
// PDF output carries its creation time.
func Write(w io.Writer, f *Figure, format string) error {
	c, err := newCanvas(f.Width, f.Height, format)
	if err != nil {
		return err
	}
	f.Draw(draw.New(c))
	bw := bufio.NewWriter(w)
	if _, err := c.WriteTo(bw); err != nil {
		return err
	}
	return bw.Flush()
}

func newCanvas(w, h vg.Length, format string) (vg.CanvasWriterTo, error) {
	if !(w > 0 && h > 0) {
		return nil, fmt.Errorf("figures: figure size %v × %v is not positive", w, h)
	}
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGResolution))}, nil
	case "svg":
		return vgsvg.New(w, h), nil
	case "pdf":
		return vgpdf.New(w, h), nil
	}
	return nil, fmt.Errorf("figures: unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Save writes f to path in the format its extension names (.png, .svg or
// .pdf, in any case). The file is written whole or not at all: into a
// temporary file in the same folder, synced, then renamed over path. On
// error no temporary file is left behind and the error names path.
func Save(f *Figure, path string) (err error) {
	ext := filepath.Ext(path)
	format := strings.ToLower(strings.TrimPrefix(ext, "."))
	if _, err := newCanvas(1, 1, format); err != nil {
		return fmt.Errorf("figures: saving %s: unsupported extension %q (want .png, .svg or .pdf)", path, ext)
	}
	dir := filepath.Dir(path)
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("figures: saving %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("figures: saving %s: %w", path, err)
		}
	}()
	if err := Write(tmp, f, format); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// createTemp creates a new file in dir whose name starts with prefix,
// with mode 0666 less the umask (os.CreateTemp's 0600 would keep a
// shared results folder's figures from the rest of the group).
func createTemp(dir, prefix string) (*os.File, error) {
	for i := 0; ; i++ {
		f, err := os.OpenFile(filepath.Join(dir, prefix+rand.Text()), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return f, err
	}
}

// syncDir makes the rename durable where the file system can sync a
// folder.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return err
	}
	return nil
}
