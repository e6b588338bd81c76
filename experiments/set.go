package experiments

import (
	"fmt"
	"slices"
	"strings"
)

// Set overrides engine fields of every treatment, as the [base] table
// would, from "field=value" strings (a command's --set flags): the
// experiment file stays as it is, and the overrides change the train keys
// of the runs they touch and are listed in Overrides. A field that is an
// axis of [grid] or [one_at_a_time] is refused: its values are the
// treatments. Errors name the override.
func (e *Experiment) Set(sets []string) error {
	for _, kv := range sets {
		field, value, ok := strings.Cut(kv, "=")
		field, value = strings.TrimSpace(field), strings.TrimSpace(value)
		switch {
		case !ok || field == "":
			return fmt.Errorf("--set %q: must be field=value", kv)
		case value == "":
			return fmt.Errorf("--set %q: the value must not be empty", kv)
		case field == "recipe":
			return fmt.Errorf("--set %q: the recipe is the experiment's (its defaults are every treatment's starting point); edit the file", kv)
		case e.HasAxis(field):
			return fmt.Errorf("--set %q: %s is an axis of the experiment; its values are the treatments", kv, field)
		}
		base := e.Base
		if err := base.Set(field, value); err != nil {
			return fmt.Errorf("--set %q: %v", kv, err)
		}
		for i := range e.treatments {
			cfg := e.treatments[i].Config
			cfg.Widths = slices.Clone(cfg.Widths)
			if err := cfg.Set(field, value); err != nil {
				return fmt.Errorf("--set %q: %v", kv, err)
			}
			if err := cfg.Validate(); err != nil {
				return fmt.Errorf("--set %q: treatment %s: %v", kv, e.treatments[i].ID, err)
			}
			e.treatments[i].Config = cfg
		}
		e.Base = base
		e.Overrides = append(e.Overrides, field+"="+value)
	}
	return nil
}
