package audience_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/heraldbot/herald/audience"
)

// BenchmarkParseIDs reads a 100,000-row export (about 3.5 MB).
func BenchmarkParseIDs(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("\ufeffuser_id,name\r\n")
	for i := range 100_000 {
		fmt.Fprintf(&buf, "\"U%032x\",Name %d\r\n", i, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := audience.ParseIDs(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
}
