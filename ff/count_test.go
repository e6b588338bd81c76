package ff

import "testing"

// TestStepCount (F7): Count agrees with the length of Steps, which walks
// every step, on every small schedule, and takes no time for a schedule
// no walk could finish (a million epochs of 60,000 one-sample steps).
func TestStepCount(t *testing.T) {
	for every := 1; every <= 40; every++ {
		for spe := 0; spe <= 25; spe++ {
			for _, last := range []int{0, 1, 2, 3, 7, 8, 50, 99, 100, 257, 1000} {
				s := StepSchedule{Every: every}
				if got, want := s.Count(last, spe), len(s.Steps(last, spe)); got != want {
					t.Fatalf("Every %d, %d steps per epoch, last %d: Count %d, len(Steps) %d", every, spe, last, got, want)
				}
			}
		}
	}
	// Expected from the closed form: step 0, 6e10 multiples of 1, and
	// the epoch ends and dense steps are all multiples of 1 already.
	if got := (StepSchedule{Every: 1}).Count(60_000*1_000_000, 60_000); got != 60_000*1_000_000+1 {
		t.Errorf("Count for a million epochs: %d", got)
	}
}
