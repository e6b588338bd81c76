package experiments_test

import (
	"fmt"
	"log"

	"github.com/ffchar/ffchar/experiments"
)

func ExampleProfile() {
	e, err := experiments.Profile("smoke")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range e.Runs() {
		fmt.Printf("%d %s replicate %d seed %d checkpoints %v\n", r.Index, r.TreatmentID, r.Replicate, r.Seed, r.Checkpoints)
	}
	fmt.Printf("%.3g FLOPs\n", e.EstimateFLOPs())
	// Output:
	// 0 depth=1,width=16 replicate 0 seed 11494417180362865823 checkpoints [1 3]
	// 1 depth=1,width=16 replicate 1 seed 6103150820007581048 checkpoints [1 3]
	// 2 depth=2,width=16 replicate 0 seed 6354191848617538287 checkpoints [1 3]
	// 3 depth=2,width=16 replicate 1 seed 11840415614668929085 checkpoints [1 3]
	// 2.3e+09 FLOPs
}

func ExampleParse() {
	_, err := experiments.Parse("experiments/bad.toml", []byte(`
recipe = "loewe"
seeds = 3
master_seed = 1
[data]
source = "mnist"
[grid]
width = [100, -5]
`))
	fmt.Println(err)
	// Output:
	// experiments/bad.toml: grid.width: value -5: must be at least 1
}
