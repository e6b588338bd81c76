package figures

import (
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

// equalImage reports whether two renderings in format typ are the same
// picture, by gonum/plot's cmpimg (SVG byte for byte, PNG pixel for pixel
// after decoding).
func equalImage(typ string, a, b []byte) bool {
	ok, err := cmpimg.Equal(typ, a, b)
	return err == nil && ok
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
