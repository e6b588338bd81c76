package report

import (
	"reflect"
	"strings"

	"github.com/ffchar/ffchar/artifacts"
	"github.com/ffchar/ffchar/ff"
)

// analysisColumns declares the columns of the analysis tables by name:
// unit and meaning. The row types (rows.go) give each table's column names
// and types; a column name means one thing across tables (lo is the same
// interval bound in a dozen of them), so its meaning is worded once, here.
// A column of one table only, or a name that means something else in one
// table, is declared on its row type's field instead (unit and doc tags,
// see rowtable.go), which takes precedence. Columns named <x>_mean,
// <x>_lo, <x>_hi, <x>_n, <x>_estimate, <x>_verdict, <x>_diff and <x>_holm
// are described from <x> (AnalysisColumn). The tests enumerate every
// column of every row type (TestRowColumnsDeclared), so a column without a
// declaration fails them whether or not a sample report writes it.
var analysisColumns = map[string]artifacts.ColumnDoc{
	"treatment":             {Doc: "the experimental condition: its grid axes as key=value pairs"},
	"depth":                 {Unit: "layers", Doc: "FF layers of the treatment"},
	"width":                 {Unit: "units", Doc: "the treatment's width field (group by layer_width when runs set widths)"},
	"layer":                 {Doc: "FF layer, from 1"},
	"layer_width":           {Unit: "units", Doc: "the layer's width"},
	"run":                   {Doc: "the run ID (run_id of the sweep tables)"},
	"epoch":                 {Unit: "epochs", Doc: "epoch, from 1"},
	"step":                  {Unit: "steps", Doc: "optimizer steps since initialisation"},
	"measure":               {Doc: "which measure the row holds (levels, increments, e50, s50, t80, lag, ...)"},
	"clock":                 {Doc: `"epoch" (per-epoch validation curves) or "step" (the held-out probe at step resolution)`},
	"window":                {Unit: "steps", Doc: "increments over non-overlapping windows of this many steps; 0 for levels"},
	"start":                 {Doc: "the first epoch or step the correlation uses"},
	"start_accuracy":        {Unit: "fraction", Doc: "the layer's first accuracy, where its curve starts"},
	"from":                  {Doc: `how the start was chosen: "fixed" or "start_step" (the start step of the treatment)`},
	"points":                {Doc: "points per curve the correlation is over (epochs or recorded steps, by clock)"},
	"runs":                  {Doc: "runs the row is over"},
	"seeds":                 {Doc: "seeds (runs) the across-seed correlation is over"},
	"treatments":            {Doc: "treatments at this level"},
	"r":                     {Unit: "r", Doc: "Pearson correlation of layer and model accuracy (Fisher-z mean over runs where over runs)"},
	"lo":                    {Doc: "lower bound of the confidence interval (95% unless the experiment's [analysis] says otherwise), in the row's unit"},
	"hi":                    {Doc: "upper bound of the confidence interval, in the row's unit"},
	"p":                     {Doc: "p-value of the row's null hypothesis"},
	"p_two_sided":           {Doc: "two-sided p-value"},
	"p_sided":               {Doc: "which side the p-value is for"},
	"p_perm":                {Doc: "permutation p-value of the excess (layer and model curves paired at random within a treatment)"},
	"p_holm":                {Doc: "p, Holm-adjusted over the table"},
	"mean":                  {Doc: "mean over runs of the measure, in its unit (epochs or steps for delays)"},
	"n":                     {Doc: "runs the mean is over"},
	"undefined":             {Doc: "runs whose measure is undefined (the layer never reached the share of its gain)"},
	"surrogate_r":           {Unit: "r", Doc: "the same correlation with each run's layer paired with the other runs' models of its treatment (the shared time course)"},
	"surrogate_z":           {Unit: "atanh r", Doc: "atanh of the surrogate correlation"},
	"excess_z":              {Unit: "atanh r", Doc: "atanh r of the run's own pairing minus its surrogate's: the run-specific part"},
	"excess":                {Unit: "atanh r", Doc: "the excess over the surrogate"},
	"residual_r":            {Unit: "r", Doc: "correlation of layer and model residuals after the treatment's mean curves are removed"},
	"residual_z":            {Unit: "atanh r", Doc: "atanh of the residual correlation"},
	"residual":              {Unit: "r", Doc: "the residual correlation"},
	"within_z":              {Unit: "atanh r", Doc: "atanh of the run's own layer-model correlation"},
	"reliability_layer":     {Unit: "r", Doc: "split-half reliability of the layer's curve (Spearman-Brown); empty without a split-half probe"},
	"reliability_model":     {Unit: "r", Doc: "split-half reliability of the model's curve (Spearman-Brown); empty without a split-half probe"},
	"ceiling":               {Unit: "r", Doc: "largest r the measure can show given the probe's noise (from the reliabilities); empty without a split-half probe"},
	"residual_ceiling":      {Unit: "r", Doc: "the ceiling of the residual correlation; empty without a split-half probe"},
	"disattenuated_r":       {Unit: "r", Doc: "r divided by its ceiling; empty without a split-half probe"},
	"min_detectable_r":      {Unit: "r", Doc: "smallest across-seed r detectable with the experiment's power at this many seeds"},
	"pearson_r":             {Unit: "r", Doc: "the run's Pearson correlation of layer and model accuracy over epochs"},
	"pearson_p":             {Doc: "its two-sided p-value"},
	"spearman_r":            {Unit: "rho", Doc: "the run's Spearman rank correlation of layer and model accuracy"},
	"spearman_p":            {Doc: "its two-sided p-value"},
	"gain":                  {Unit: "fraction", Doc: "the layer's accuracy gain from its start to its best"},
	"e50":                   {Unit: "epochs", Doc: "epochs from the first epoch to 50% of the layer's gain"},
	"e90":                   {Unit: "epochs", Doc: "epochs from the first epoch to 90% of the layer's gain"},
	"e95":                   {Unit: "epochs", Doc: "epochs from the first epoch to 95% of the layer's gain"},
	"s50":                   {Unit: "steps", Doc: "steps from initialisation to 50% of the layer's gain over step 0"},
	"s90":                   {Unit: "steps", Doc: "steps from initialisation to 90% of the layer's gain over step 0"},
	"t60":                   {Unit: "steps", Doc: "steps to the layer's first FF accuracy of 60%"},
	"t70":                   {Unit: "steps", Doc: "steps to the layer's first FF accuracy of 70%"},
	"t80":                   {Unit: "steps", Doc: "steps to the layer's first FF accuracy of 80%"},
	"t90":                   {Unit: "steps", Doc: "steps to the layer's first FF accuracy of 90%"},
	"lag":                   {Doc: "lag of the layer's curve behind the model's that maximises their cross-correlation (epochs or steps, by clock)"},
	"lag_r":                 {Unit: "r", Doc: "the cross-correlation at that lag"},
	"slope":                 {Doc: "per-run OLS slope of the measure on layer index (in the measure's unit per layer)"},
	"slope_p_greater":       {Doc: "one-sided p of mean slope ≤ 0 (t-test over runs)"},
	"slope_p_less":          {Doc: "one-sided p of mean slope ≥ 0 (t-test over runs)"},
	"slope_p_two_sided":     {Doc: "two-sided p of mean slope = 0 (t-test over runs)"},
	"signed_rank":           {Doc: "Wilcoxon signed-rank test of the slopes"},
	"signed_rank_p_greater": {Doc: "one-sided Wilcoxon signed-rank p of median slope ≤ 0"},
	"left_out":              {Doc: "runs left out because the measure is undefined for one of their layers"},
	"from_layer":            {Doc: "the shallower layer of the gap"},
	"to_layer":              {Doc: "the deeper layer of the gap"},
	"gap":                   {Doc: "the deeper layer's delay minus the shallower one's (in the measure's unit)"},
	"layer_accuracy":        {Unit: "fraction", Doc: "the layer's FF accuracy"},
	"model_accuracy":        {Unit: "fraction", Doc: "the model's accuracy (classifier, or goodness over labels without one)"},
	"label_accuracy":        {Unit: "fraction", Doc: "the layer's own 10-class accuracy"},
	"accuracy":              {Unit: "fraction", Doc: "the final model accuracy on the evaluation split"},
	"classifier":            {Unit: "fraction", Doc: "the softmax classifier's accuracy on the evaluation split"},
	"goodness":              {Unit: "fraction", Doc: "goodness-over-labels accuracy on the evaluation split"},
	"test_accuracy":         {Unit: "fraction", Doc: "the final model accuracy on the evaluation split"},
	"start_step":            {Unit: "steps", Doc: "the start step: layer 1's mean leaves its step-0 value by [analysis] start_se probe SEs"},
	"found":                 {Doc: "whether the start step was found (else the fallback is used)"},
	"term":                  {Doc: "regressor of the OLS model of atanh r (clustered SE)"},
	"estimate":              {Doc: "the coefficient (atanh r per unit of the term)"},
	"se":                    {Doc: "its standard error, clustered by run (or treatment)"},
	"claim":                 {Doc: "the paper's claim (H1, H2, H3 and their coupling rows)"},
	"statement":             {Doc: "what the claim says"},
	"role":                  {Doc: `"verdict" (the row that decides), "part" or "context" (reported beside it, decides nothing)`},
	"statistic":             {Doc: "what value is"},
	"unit":                  {Doc: "the unit of value, lo and hi"},
	"value":                 {Doc: "the estimate, in unit (one_at_a_time: the axis value of the level)"},
	"null_hypothesis":       {Doc: "the null hypothesis p tests"},
	"effect_verdict":        {Doc: "the verdict of this row alone"},
	"verdict":               {Doc: "the claim's verdict under the experiment's rules: supported, not supported or inconclusive"},
	"warnings":              {Doc: "caveats of the row (too few runs, a constant series), separated by semicolons"},
	"level":                 {Doc: "one-at-a-time level: base, or axis=value"},
	"axis":                  {Doc: "the axis varied at this level (empty for the base)"},
	"h1":                    {Doc: "H1's measure (the experiment's h1_measure) per layer: steps or epochs per layer"},
	"h1_runs":               {Doc: "runs of H1's estimate"},
	"h1_own_start":          {Unit: "steps", Doc: "H1's slope with each run's own start step"},
	"h2_r":                  {Unit: "r", Doc: "H2: layer 1's correlation with the model over levels"},
	"h2_surrogate_r":        {Unit: "r", Doc: "H2: the same with the between-seed surrogate"},
	"h2_layer_slope":        {Unit: "atanh r per layer", Doc: "H2: slope of atanh r on layer"},
	"h2":                    {Doc: "H2"},
	"h3_width_slope":        {Unit: "atanh r per doubling of width", Doc: "H3: slope of atanh r on log2(width)"},
	"dh1":                   {Doc: "the level's H1 estimate minus the base's (Welch)"},
	"dh1_p":                 {Doc: "two-sided p of no difference in H1"},
	"dh2_atanh":             {Unit: "atanh r", Doc: "the level's H2 atanh r minus the base's (Welch)"},
	"dh2_atanh_p":           {Doc: "two-sided p of no difference in H2"},
	"epochs":                {Unit: "epochs", Doc: "grid axis: the treatment's epochs field"},
	"peer_weight":           {Doc: "grid axis: the peer-normalisation weight"},
	"schedule":              {Doc: "grid axis: the training schedule"},
	"readout":               {Doc: "grid axis: the model's readout"},
	"recipe":                {Doc: "grid axis: the recipe"},
	"source":                {Doc: "grid axis: the data set"},
}

// suffixes name derived columns: <x><suffix> is described from <x>.
var suffixes = []struct{ suffix, doc string }{
	{"_mean", "mean over runs of %s"},
	{"_lo", "lower bound of the confidence interval of %s"},
	{"_hi", "upper bound of the confidence interval of %s"},
	{"_n", "runs the mean of %s is over"},
	{"_estimate", "estimate of %s"},
	{"_verdict", "verdict on %s under the experiment's rules"},
	{"_diff", "%s"},
	{"_holm", "%s, Holm-adjusted over the table"},
}

// AnalysisColumn returns the declaration of column name of the analysis
// table called table; ok is false for an undeclared column.
func AnalysisColumn(table, name string) (d artifacts.ColumnDoc, ok bool) {
	if d, ok := fieldDoc(table, name); ok {
		return d, true
	}
	if d, ok := analysisColumns[name]; ok {
		d.Name = name
		return d, true
	}
	for _, s := range suffixes {
		base, found := strings.CutSuffix(name, s.suffix)
		if !found {
			continue
		}
		b, ok := AnalysisColumn(table, base)
		if !ok {
			continue
		}
		unit := b.Unit
		if s.suffix == "_n" || s.suffix == "_verdict" {
			unit = ""
		}
		return artifacts.ColumnDoc{Name: name, Unit: unit, Doc: strings.Replace(s.doc, "%s", b.Doc, 1)}, true
	}
	if ff.FieldKind(strings.TrimPrefix(name, "grid_")) != reflect.Invalid {
		// An axis without a declaration of its own.
		return artifacts.AxisColumnDoc(name), true
	}
	return artifacts.ColumnDoc{Name: name}, false
}
