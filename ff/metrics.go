package ff

// LayerMetrics are one FF layer's metrics on one split. A value that was not
// computed is NaN.
type LayerMetrics struct {
	Loss     float64 // FF loss (BCE with logits over positives and negatives)
	Accuracy float64 // FF accuracy: sigmoid(logit) > 0.5 judged against positive/negative
	// GoodnessPos and GoodnessNeg are the mean goodness of positives and
	// negatives.
	GoodnessPos float64
	GoodnessNeg float64
	// LabelAccuracy is the 10-class accuracy of this layer alone: argmax
	// over the ten labels of its goodness.
	LabelAccuracy float64
	PeerLoss      float64 // peer-normalisation loss (training split only)
}

// SplitMetrics are the metrics of one split after (validation) or during
// (training, averaged over the epoch's batches) one epoch.
type SplitMetrics struct {
	Layers []LayerMetrics
	// ClassifierAccuracy is the paper's "model accuracy"; NaN without a
	// classifier.
	ClassifierAccuracy float64
	ClassifierLoss     float64
	// GoodnessAccuracy is Hinton's evaluation: for each label sum the
	// goodness of layers 2..N (all layers when N = 1), take the argmax.
	GoodnessAccuracy float64
	// Samples is the number of samples the metrics are computed over.
	Samples int
}

// EpochMetrics is what one epoch records.
type EpochMetrics struct {
	Epoch int // from 1
	// Layer is the 1-based layer trained in this epoch under the greedy
	// schedule, 0 when all layers are trained.
	Layer   int
	LR      float64 // FF learning rate used in this epoch
	Seconds float64 // wall time of the epoch's training (not its validation)
	Train   SplitMetrics
	Val     *SplitMetrics // nil without validation data
}
