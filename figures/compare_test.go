package figures

import (
	"bytes"
	"image"
	"image/draw"
	_ "image/png"
	"testing"
)

// equalImage reports whether two renderings in format typ are the same
// picture, as gonum.org/v1/plot/cmpimg.Equal does for these two formats:
// SVG byte for byte, PNG pixel for pixel after decoding. (cmpimg itself
// needs rsc.io/pdf, a module this one does not require.)
func equalImage(typ string, a, b []byte) bool {
	switch typ {
	case "svg":
		return bytes.Equal(a, b)
	case "png":
		ia, _, err1 := image.Decode(bytes.NewReader(a))
		ib, _, err2 := image.Decode(bytes.NewReader(b))
		if err1 != nil || err2 != nil {
			return false
		}
		return bytes.Equal(rgba(ia).Pix, rgba(ib).Pix) && ia.Bounds() == ib.Bounds()
	}
	panic("equalImage: unknown type " + typ)
}

func rgba(m image.Image) *image.RGBA {
	if r, ok := m.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(m.Bounds())
	draw.Draw(r, r.Bounds(), m, m.Bounds().Min, draw.Src)
	return r
}

func TestEqualImage(t *testing.T) {
	f, err := FinalAccuracy(fixtureFinals())
	if err != nil {
		t.Fatal(err)
	}
	png := render(t, f, "png")
	f.Title += " (changed)"
	png2 := render(t, f, "png")
	if !equalImage("png", png, png) || equalImage("png", png, png2) {
		t.Error("equalImage does not tell PNGs apart")
	}
	if !equalImage("svg", []byte("<svg/>"), []byte("<svg/>")) || equalImage("svg", []byte("<svg/>"), []byte("<svg />")) {
		t.Error("equalImage does not tell SVGs apart")
	}
}
