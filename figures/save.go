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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// formats lists the formats Write and Save produce, by file extension.
var formats = []string{"png", "svg", "pdf"}

// PNGResolution is the resolution of PNG output, in dots per inch.
const PNGResolution = 300

// Write renders f in format ("png", "svg" or "pdf") to w. The output is a
// function of f alone: the same figure gives the same bytes.
func Write(w io.Writer, f *Figure, format string) error {
	if err := write(w, f, format); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

func write(w io.Writer, f *Figure, format string) error {
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

// PDF documents are dated pdfDate rather than now, and list their
// resources in sorted order rather than map order, so that a figure's
// bytes do not depend on when or how often it is drawn. The PDF library
// takes both only as process-wide defaults; no other code here writes PDF.
var (
	pdfDefaults sync.Once
	pdfDate     = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
)

func newCanvas(w, h vg.Length, format string) (vg.CanvasWriterTo, error) {
	if !(w > 0 && h > 0) {
		return nil, fmt.Errorf("figure size %v × %v is not positive", w, h)
	}
	switch format {
	case "png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGResolution))}, nil
	case "svg":
		return vgsvg.New(w, h), nil
	case "pdf":
		pdfDefaults.Do(func() {
			fpdf.SetDefaultCreationDate(pdfDate)
			fpdf.SetDefaultModificationDate(pdfDate)
			fpdf.SetDefaultCatalogSort(true)
		})
		return vgpdf.New(w, h), nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(formats, ", "))
}

// Save writes f to path in the format its extension names (.png, .svg or
// .pdf, in any case). The file is written whole or not at all: into a
// temporary file in the same folder, synced, then renamed over path. On
// error no temporary file is left behind and the error names path.
func Save(f *Figure, path string) (err error) {
	ext := filepath.Ext(path)
	format := strings.ToLower(strings.TrimPrefix(ext, "."))
	if !slices.Contains(formats, format) {
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
	if err := write(tmp, f, format); err != nil {
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
