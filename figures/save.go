package figures

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ffchar/ffchar/internal/atomicfile"

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
	err = atomicfile.Write(path, 0o666, func(w io.Writer) error { return write(w, f, format) })
	if err != nil {
		return fmt.Errorf("figures: saving %s: %w", path, err)
	}
	return nil
}
