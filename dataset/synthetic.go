package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sync"

	"github.com/ffchar/ffchar/ff"
)

// Shape and look of the synthetic images.
const (
	synthRows, synthCols = 28, 28
	synthStrokes         = 4   // line segments per class prototype
	synthWidth           = 1.3 // standard deviation of a stroke's profile, in pixels
	synthNoise           = 0.2 // standard deviation of the additive pixel noise
	synthMinAmp          = 0.7 // a sample's prototype is scaled by U[synthMinAmp, 1)
	synthShift           = 2   // and shifted by up to synthShift pixels along each axis
)

// PCG streams: the prototypes use a fixed seed; the training and test files
// of one seed use different streams so that they hold different samples.
const (
	protoSeed   = 0x0ff0_5eed
	protoStream = 0x9e37_79b9_7f4a_7c15
	trainStream = 0x2545_f491_4f6c_dd1d
	testStream  = 0x5851_f42d_4c95_7f2d
)

// Synthetic returns n samples of the synthetic data set of the given seed:
// the images and labels WriteSynthetic writes to its training file, scaled
// as Load scales them.
func Synthetic(n int, seed uint64) *ff.Data {
	im, labels := synthesize(n, rand.New(rand.NewPCG(seed, trainStream)))
	return toData(im, labels, 0, n)
}

// WriteSynthetic writes a synthetic data set of nTrain training and nTest
// test samples into dir under the MNIST file names, gzip-compressed (with
// the ".gz" suffix) when gz is set. Its training images are those of
// Synthetic(nTrain, seed).
func WriteSynthetic(dir string, nTrain, nTest int, seed uint64, gz bool) error {
	train, trainLabels := synthesize(nTrain, rand.New(rand.NewPCG(seed, trainStream)))
	test, testLabels := synthesize(nTest, rand.New(rand.NewPCG(seed, testStream)))
	suffix := ""
	if gz {
		suffix = ".gz"
	}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{TrainImages, encodeImages(train)},
		{TrainLabels, encodeLabels(trainLabels)},
		{TestImages, encodeImages(test)},
		{TestLabels, encodeLabels(testLabels)},
	} {
		if err := writeFile(filepath.Join(dir, f.name+suffix), f.data, gz); err != nil {
			return fmt.Errorf("dataset: writing synthetic data: %w", err)
		}
	}
	return nil
}

// synthesize draws n images with balanced labels in random order. Each is
// its class prototype shifted by up to synthShift pixels, scaled, overlaid with
// Gaussian noise and quantised to bytes; the first ff.NumClasses pixels are
// zero.
func synthesize(n int, rng *rand.Rand) (*Images, []uint8) {
	if n < 0 {
		panic("dataset: negative sample count")
	}
	protos := prototypes()
	labels := make([]uint8, n)
	for i := range labels {
		labels[i] = uint8(i % ff.NumClasses)
	}
	rng.Shuffle(n, func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })

	const size = synthRows * synthCols
	pix := make([]uint8, n*size)
	for i, l := range labels {
		p := protos[l]
		dx, dy := rng.IntN(2*synthShift+1)-synthShift, rng.IntN(2*synthShift+1)-synthShift
		amp := synthMinAmp + (1-synthMinAmp)*rng.Float64()
		img := pix[i*size : (i+1)*size]
		for y := range synthRows {
			for x := range synthCols {
				v := synthNoise * rng.NormFloat64()
				if sx, sy := x-dx, y-dy; 0 <= sx && sx < synthCols && 0 <= sy && sy < synthRows {
					v += amp * p[sy*synthCols+sx]
				}
				img[y*synthCols+x] = uint8(math.Round(255 * min(max(v, 0), 1)))
			}
		}
		clear(img[:ff.NumClasses])
	}
	return &Images{N: n, Rows: synthRows, Cols: synthCols, Pix: pix}, labels
}

// prototypes returns one blurred stroke pattern per class, values in
// [0, 1]; they do not depend on any seed.
var prototypes = sync.OnceValue(func() [][]float64 {
	rng := rand.New(rand.NewPCG(protoSeed, protoStream))
	protos := make([][]float64, ff.NumClasses)
	for c := range protos {
		// Strokes stay in the central 18×18 pixels, like MNIST's digits.
		var seg [synthStrokes][4]float64
		for s := range seg {
			for k := range seg[s] {
				seg[s][k] = 5 + 17*rng.Float64()
			}
		}
		p := make([]float64, synthRows*synthCols)
		for y := range synthRows {
			for x := range synthCols {
				d2 := math.Inf(1)
				for _, s := range seg {
					d2 = min(d2, segmentDist2(float64(x), float64(y), s))
				}
				p[y*synthCols+x] = math.Exp(-d2 / (2 * synthWidth * synthWidth))
			}
		}
		protos[c] = p
	}
	return protos
})

// segmentDist2 returns the squared distance from (x, y) to the segment
// s = (x0, y0, x1, y1).
func segmentDist2(x, y float64, s [4]float64) float64 {
	ux, uy := s[2]-s[0], s[3]-s[1]
	wx, wy := x-s[0], y-s[1]
	t := 0.0
	if l2 := ux*ux + uy*uy; l2 > 0 {
		t = min(max((wx*ux+wy*uy)/l2, 0), 1)
	}
	dx, dy := wx-t*ux, wy-t*uy
	return dx*dx + dy*dy
}
