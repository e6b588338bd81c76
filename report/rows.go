package report

import "github.com/ffchar/ffchar/analysis"

// The row types of the analysis tables (rowTypes names each table's):
// their fields are the tables' columns in order (see rowtable.go for the
// tags), their meanings declared in analysisColumns.

// runLayerColumns identify a run's layer: the treatment, the run and the
// layer.
type runLayerColumns struct {
	Group analysis.Group `col:""`
	Run   string         `col:"run"`
	layerColumns
}

// runLayerOf returns the columns of run's layer l of g.
func runLayerOf(g analysis.Group, run string, l int) runLayerColumns {
	return runLayerColumns{Group: g, Run: run, layerColumns: layerOf(g, l)}
}

// curveMeans are a layer's mean FF accuracy and the model's at a point of
// the curves.
type curveMeans struct {
	LayerAccuracy analysis.Summary `col:"layer_accuracy_"`
	ModelAccuracy analysis.Summary `col:"model_accuracy_"`
}

// hypothesisRow is an effect of a claim (hypotheses, step_hypotheses).
type hypothesisRow struct {
	Claim          string  `col:"claim"`
	Statement      string  `col:"statement"`
	Role           string  `col:"role"`
	Statistic      string  `col:"statistic"`
	Unit           string  `col:"unit"`
	Value          float64 `col:"value"`
	Lo             float64 `col:"lo" doc:"lower bound of the confidence interval of value"`
	Hi             float64 `col:"hi" doc:"upper bound of the confidence interval of value"`
	P              float64 `col:"p"`
	PSided         string  `col:"p_sided"`
	NullHypothesis string  `col:"null_hypothesis"`
	Ceiling        float64 `col:"ceiling" unit:"r" doc:"reliability ceiling of the measure; empty where not defined"`
	Runs           int     `col:"runs" doc:"runs (or treatments, for coupling rows) the estimate is over"`
	EffectVerdict  string  `col:"effect_verdict"`
	Verdict        string  `col:"verdict"`
	Warnings       string  `col:"warnings"`
}

// couplingRow is a coupling of a treatment's layer with its model in one
// measure (correlation_summary, step_coupling).
type couplingRow struct {
	Group analysis.Group `col:""`
	layerColumns
	viewColumns
	Points           int     `col:"points"`
	Runs             int     `col:"runs"`
	R                float64 `col:"r"`
	Lo               float64 `col:"lo"`
	Hi               float64 `col:"hi"`
	SurrogateR       float64 `col:"surrogate_r"`
	ExcessZ          float64 `col:"excess_z"`
	ExcessLo         float64 `col:"excess_lo"`
	ExcessHi         float64 `col:"excess_hi"`
	PPerm            float64 `col:"p_perm"`
	ResidualR        float64 `col:"residual_r"`
	ResidualLo       float64 `col:"residual_lo"`
	ResidualHi       float64 `col:"residual_hi"`
	ReliabilityLayer float64 `col:"reliability_layer"`
	ReliabilityModel float64 `col:"reliability_model"`
	Ceiling          float64 `col:"ceiling"`
	DisattenuatedR   float64 `col:"disattenuated_r"`
	ResidualCeiling  float64 `col:"residual_ceiling"`
}

// finalCorrelationRow is a layer's final accuracy against the model's
// across seeds (final_correlation).
type finalCorrelationRow struct {
	Group analysis.Group `col:""`
	layerColumns
	R     float64 `col:"r"`
	Lo    float64 `col:"lo"`
	Hi    float64 `col:"hi"`
	P     float64 `col:"p"`
	Seeds int     `col:"seeds"`
	PHolm holm    `col:"p_holm,holm=p"`
}

// delaySummaryRow is a layer's delay in one measure over seeds
// (delay_summary, step_delay_summary).
type delaySummaryRow struct {
	Group analysis.Group `col:""`
	layerColumns
	Measure   string           `col:"measure"`
	Summary   analysis.Summary `col:""`
	Undefined int              `col:"undefined"`
}

// trendColumns are a treatment's delay measure and the mean over its
// runs of the measure's slope on layer index.
type trendColumns struct {
	Group   analysis.Group   `col:""`
	Measure string           `col:"measure"`
	Slope   analysis.Summary `col:"slope_"`
}

// trendOf returns the trend columns of d.
func trendOf(d analysis.DelayTrend) trendColumns {
	return trendColumns{Group: d.Group, Measure: d.Measure, Slope: d.Slope}
}

// delayTrendRow is the growth of an epoch delay with layer position
// (delay_trend).
type delayTrendRow struct {
	trendColumns
	SlopePTwoSided     float64 `col:"slope_p_two_sided"`
	SlopePGreater      float64 `col:"slope_p_greater"`
	SignedRankPGreater float64 `col:"signed_rank_p_greater"`
	SignedRankN        int     `col:"signed_rank_n"`
	SlopePGreaterHolm  holm    `col:"slope_p_greater_holm,holm=slope_p_greater"`
}

// regressionRow is a coefficient of a regression of atanh r
// (correlation_regression, step_correlation_regression).
type regressionRow struct {
	Term     string  `col:"term"`
	Estimate float64 `col:"estimate"`
	SE       float64 `col:"se"`
	Lo       float64 `col:"lo"`
	Hi       float64 `col:"hi"`
	P        float64 `col:"p"`
}

// finalAccuracyRow is a treatment's final model accuracy (final_accuracy).
type finalAccuracyRow struct {
	Group    analysis.Group   `col:""`
	Accuracy analysis.Summary `col:"accuracy_"`
}

// testAccuracyRow is a treatment's test-set accuracy at a checkpoint
// (test_accuracy).
type testAccuracyRow struct {
	Group      analysis.Group   `col:""`
	Epoch      int              `col:"epoch"`
	Classifier analysis.Summary `col:"classifier_"`
	Goodness   analysis.Summary `col:"goodness_"`
}

// curveSummaryRow is a treatment's layer at an epoch (curve_summary).
type curveSummaryRow struct {
	Group analysis.Group `col:""`
	layerColumns
	Epoch int `col:"epoch"`
	curveMeans
	LabelAccuracy analysis.Summary `col:"label_accuracy_"`
}

// layerModelRow is a run's layer–model correlation over epochs
// (layer_model_correlations).
type layerModelRow struct {
	runLayerColumns
	PearsonR   float64 `col:"pearson_r"`
	PearsonP   float64 `col:"pearson_p"`
	SurrogateZ float64 `col:"surrogate_z"`
	ExcessZ    float64 `col:"excess_z"`
	ResidualZ  float64 `col:"residual_z"`
	SpearmanR  float64 `col:"spearman_r"`
	SpearmanP  float64 `col:"spearman_p"`
	Points     int     `col:"points"`
}

// delayRow is a run's layer's delays (delays, step_delays): one column
// per measure of the clock's delay options (DelayOptions.Measures).
type delayRow struct {
	runLayerColumns
	StartAccuracy float64   `col:"start_accuracy"`
	Gain          float64   `col:"gain"`
	Measures      []measure `col:""`
	LagR          float64   `col:"lag_r"`
}

// stepDelayTrendRow is the growth of a step delay with layer position
// (step_delay_trend).
type stepDelayTrendRow struct {
	trendColumns
	SlopePGreater     float64 `col:"slope_p_greater"`
	SlopePGreaterHolm float64 `col:"slope_p_greater_holm"`
	LeftOut           int     `col:"left_out"`
}

// depthDeficitRow is the slope of layer accuracy on layer index at a step
// (depth_deficit).
type depthDeficitRow struct {
	Group          analysis.Group   `col:""`
	Step           int              `col:"step"`
	Slope          analysis.Summary `col:"slope_"`
	SlopePLess     float64          `col:"slope_p_less"`
	SlopePLessHolm float64          `col:"slope_p_less_holm"`
}

// layerStepColumns identify a treatment's layer at a step.
type layerStepColumns struct {
	Group analysis.Group `col:""`
	layerColumns
	Step int `col:"step"`
}

// layerStepOf returns the columns of layer l of g at step.
func layerStepOf(g analysis.Group, l, step int) layerStepColumns {
	return layerStepColumns{Group: g, layerColumns: layerOf(g, l), Step: step}
}

// seedCorrelationRow is a layer's accuracy against the model's across
// seeds at a step (seed_correlation).
type seedCorrelationRow struct {
	layerStepColumns
	R                float64 `col:"r"`
	Lo               float64 `col:"lo"`
	Hi               float64 `col:"hi"`
	PTwoSided        float64 `col:"p_two_sided"`
	PHolm            float64 `col:"p_holm"`
	Seeds            int     `col:"seeds"`
	ReliabilityLayer float64 `col:"reliability_layer"`
	ReliabilityModel float64 `col:"reliability_model"`
	Ceiling          float64 `col:"ceiling"`
	MinDetectableR   float64 `col:"min_detectable_r"`
}

// layerGapRow is the delay between adjacent layers (layer_gaps).
type layerGapRow struct {
	Group     analysis.Group   `col:""`
	FromLayer int              `col:"from_layer"`
	ToLayer   int              `col:"to_layer"`
	Measure   string           `col:"measure"`
	Gap       analysis.Summary `col:"gap_"`
}

// startStepRow is a treatment's start step (start_step).
type startStepRow struct {
	Group     analysis.Group `col:""`
	StartStep int            `col:"start_step"`
	Found     bool           `col:"found"`
}

// stepCurveSummaryRow is a treatment's layer at a recorded step
// (step_curve_summary).
type stepCurveSummaryRow struct {
	layerStepColumns
	curveMeans
}

// stepLayerModelRow is a run's layer–model correlation in one measure at
// step resolution (step_layer_model_correlations).
type stepLayerModelRow struct {
	runLayerColumns
	viewColumns
	WithinZ    float64 `col:"within_z"`
	SurrogateZ float64 `col:"surrogate_z"`
	ExcessZ    float64 `col:"excess_z"`
	ResidualZ  float64 `col:"residual_z"`
}

// effectColumns are an effect's estimate, interval and verdict.
type effectColumns struct {
	Estimate float64 `col:"estimate"`
	Lo       float64 `col:"lo"`
	Hi       float64 `col:"hi"`
	Verdict  string  `col:"verdict"`
}

// effectOf returns the columns of e.
func effectOf(e analysis.Effect) effectColumns {
	return effectColumns{Estimate: e.Value, Lo: e.Lo, Hi: e.Hi, Verdict: string(e.Verdict)}
}

// differenceColumns are a difference from the base with its interval and
// p-value.
type differenceColumns struct {
	Diff float64 `col:"diff"`
	Lo   float64 `col:"lo"`
	Hi   float64 `col:"hi"`
	P    float64 `col:"p"`
}

// differenceOf returns the columns of d.
func differenceOf(d analysis.Difference) differenceColumns {
	return differenceColumns{Diff: d.Diff, Lo: d.Lo, Hi: d.Hi, P: d.P}
}

// levelRow is a level of a one-at-a-time design (one_at_a_time).
type levelRow struct {
	Level         string            `col:"level"`
	Axis          string            `col:"axis"`
	Value         string            `col:"value" doc:"the axis value of the level"`
	Treatments    int               `col:"treatments"`
	TestAccuracy  analysis.Summary  `col:"test_accuracy_"`
	H1            effectColumns     `col:"h1_"`
	H1Runs        int               `col:"h1_runs"`
	H2R           effectColumns     `col:"h2_r_"`
	H2SurrogateR  effectColumns     `col:"h2_surrogate_r_"`
	H2LayerSlope  effectColumns     `col:"h2_layer_slope_"`
	H2Verdict     string            `col:"h2_verdict"`
	H3WidthSlope  effectColumns     `col:"h3_width_slope_"`
	H1OwnStart    analysis.Summary  `col:"h1_own_start_"`
	DH1           differenceColumns `col:"dh1_"`
	DH2Atanh      differenceColumns `col:"dh2_atanh_"`
	DH1PHolm      holm              `col:"dh1_p_holm,holm=dh1_p"`
	DH2AtanhPHolm holm              `col:"dh2_atanh_p_holm,holm=dh2_atanh_p"`
}
