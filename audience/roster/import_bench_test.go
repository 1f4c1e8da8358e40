package roster_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald/audience/roster"
)

// BenchmarkImportMillion imports a million-row CSV (three platforms, names,
// tags, an attribute) into a fresh bbolt file, the bar being under
// 60 s on the project's 2-core machine:
//
//	go test -run '^$' -bench ImportMillion -benchtime 1x ./audience/roster/
func BenchmarkImportMillion(b *testing.B) {
	const rows = 1_000_000
	var file bytes.Buffer
	file.WriteString("platform,id,name,tags,attr.plan\n")
	plats := []string{"line", "telegram", "messenger"}
	for i := range rows {
		id := fmt.Sprintf("%d", 100000000+i)
		if i%3 == 0 {
			id = fmt.Sprintf("U%032x", i)
		}
		fmt.Fprintf(&file, "%s,%s,Person %d,\"t%d,all\",p%d\n", plats[i%3], id, i, i%50, i%4)
	}
	b.SetBytes(int64(file.Len()))
	for b.Loop() {
		s := openStore(b)
		start := time.Now()
		rep, err := roster.Import(context.Background(), s, bytes.NewReader(file.Bytes()), roster.Options{})
		if err != nil || rep.Created != rows {
			b.Fatalf("import: %v %s", err, rep.String())
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	}
}
