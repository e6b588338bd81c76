package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ffchar/ffchar/experiments"
	"github.com/ffchar/ffchar/ff"
)

// sharedTraining returns the results README's note on treatments whose
// runs share their first epochs (ff.SharedEpochs): runs that differ only in
// their number of epochs have the same seeds and, while their learning-rate
// schedules agree, the same training, computed once. "" when none do.
func sharedTraining(exp *experiments.Experiment) string {
	if exp == nil {
		return ""
	}
	name := treatmentNamer(exp)
	type pair struct{ a, b string }
	shared := map[pair]int{}
	var order []pair
	ts := exp.Treatments()
	for i, a := range ts {
		for _, b := range ts[i+1:] {
			if a.SeedID != b.SeedID {
				continue
			}
			if n := ff.SharedEpochs(a.Config, b.Config); n > 0 {
				p := pair{a.ID, b.ID}
				shared[p] = n
				order = append(order, p)
			}
		}
	}
	if len(order) == 0 {
		return ""
	}
	var parts []string
	for _, p := range order {
		parts = append(parts, fmt.Sprintf("`%s` and `%s` their first %d", name(p.a), name(p.b), shared[p]))
	}
	slices.Sort(parts)
	return fmt.Sprintf("- **Shared training.** Runs that differ only in their number of epochs have the same seeds (seeds derive from the treatment without its epochs axis), and over the epochs where their learning-rate schedules agree they are one computation, trained once: %s epochs. Over those epochs their curves coincide, so these treatments differ only after them, and comparisons between them are paired; Welch intervals, which treat them as independent, are conservative for them.\n",
		strings.Join(parts, "; "))
}
