package analysis

// Report holds every statistic Analyze computes.
type Report struct {
	Options Options // with defaults filled in

	Curves []Curve
	// Per run and layer.
	Correlations []LayerModel
	Delays       []Delay
	// Per treatment and layer (and epoch, measure or method).
	CurveSummaries       []CurveSummary
	CorrelationSummaries []CorrelationSummary
	// Couplings are the correlations of levels and of increments over
	// epochs against their between-seed surrogate (EpochViews).
	Couplings         []Coupling
	FinalCorrelations []FinalCorrelation
	DelaySummaries    []DelaySummary
	// Per treatment.
	DelayTrends []DelayTrend
	FinalModel  []FinalAccuracy
	// Over all runs.
	Regression Regression // CorrelationRegression with Options.Method
	Hypotheses []Hypothesis
}

// Analyze builds curves from points and computes every statistic of the
// package over them. It returns an error only for inconsistent points (see
// Curves); statistics that cannot be computed carry warnings instead.
func Analyze(points []Point, opt Options) (*Report, error) {
	opt = opt.withDefaults()
	curves, err := Curves(points)
	if err != nil {
		return nil, err
	}
	c := opt.Confidence
	r := &Report{Options: opt, Curves: curves}
	r.Correlations = LayerModelCorrelations(curves, c)
	r.Delays = Delays(curves, EpochDelays)
	r.CurveSummaries = SummarizeCurves(curves, c)
	r.CorrelationSummaries = SummarizeCorrelations(r.Correlations, c)
	r.Couplings = Couplings(curves, nil, func(Group) []View { return EpochViews }, c)
	r.FinalCorrelations = FinalCorrelations(curves, c)
	r.DelaySummaries = SummarizeDelays(r.Delays, EpochDelays.Measures(), c)
	r.DelayTrends = DelayTrends(r.Delays, EpochDelays.Measures(), c)
	r.FinalModel = FinalModelAccuracy(curves, c)
	r.Regression = CorrelationRegression(r.Correlations, opt.Method, c)
	r.Hypotheses = EvaluateHypotheses(r.Delays, r.Correlations, r.Regression, r.Couplings, opt)
	return r, nil
}

// EpochViews are the per-epoch measures of the coupling analysis: levels
// over every epoch (the paper's measure) and increments between epochs.
var EpochViews = []View{
	{Clock: ClockEpoch, Measure: ViewLevels, Start: 1},
	{Clock: ClockEpoch, Measure: ViewIncrements, Start: 1},
}
