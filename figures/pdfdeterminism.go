package figures

import (
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// PDFs are content-addressed like every other output, so they must depend
// only on the figure: fpdf otherwise stamps the current time into each
// document and may order its catalog by map iteration.
func init() {
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	fpdf.SetDefaultCreationDate(epoch)
	fpdf.SetDefaultModificationDate(epoch)
	fpdf.SetDefaultCatalogSort(true)
}
