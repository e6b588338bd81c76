package dataset_test

import (
	"fmt"
	"log"
	"os"

	"github.com/ffchar/ffchar/dataset"
)

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "dataset-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// 600 training and 100 test images in MNIST's format.
	if err := dataset.WriteSynthetic(dir, 600, 100, 1, true); err != nil {
		log.Fatal(err)
	}
	s, err := dataset.Load(dir, dataset.Options{Limit: dataset.Sizes{Train: 200}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Train.N, s.Val.N, s.Test.N, s.Train.Features)
	fmt.Println(s.Files[0].Name)
	// Output:
	// 200 100 100 784
	// train-images-idx3-ubyte.gz
}
