package stages

import (
	"testing"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/pipeline"
)

// The prep keys of the data sources below are pinned: a change to one
// invalidates every cached run that uses the source. The MNIST and
// synthetic digests are those of the code before Fashion-MNIST was added;
// change any of them only with a prep version bump.
func TestPrepKeysPinned(t *testing.T) {
	for _, c := range []struct {
		name string
		data experiments.DataSpec
		want string
	}{
		{"mnist", experiments.DataSpec{Source: "mnist", TrainLimit: 10000, ValLimit: 2000}, "dc5a3af03ff4d9f83bd7b581a67afef9670d6c9b9a5780ed828e10a9196add46"},
		{"synthetic", experiments.DataSpec{Source: experiments.SourceSynthetic, TrainLimit: 300, ValLimit: 50, TestLimit: 50, Seed: 7}, "d44b61acd92a7f3434fcdeea8ce5a83f6e30f94a2c1db7b002eaf445031ed048"},
		{"fashion-mnist", experiments.DataSpec{Source: "fashion-mnist"}, "7e1505c6e95fb0aa4d78464fc8d9ddb747afbf35dd5ca3b09fca5150e571e964"},
	} {
		key, err := prepKey(c.data)
		if err != nil {
			t.Fatal(err)
		}
		h := pipeline.NewHash(Prep)
		key(h)
		if got := h.Sum().String(); got != c.want {
			t.Errorf("%s: prep key %s, want %s; lines:\n%v", c.name, got, c.want, h.Lines())
		}
	}
}
