package audience

import "runtime"

// MeasureHeapMB reports how many MB of heap the value built by build keeps
// alive: HeapAlloc after a full GC, before and after. The benchmarks and
// `herald bench audience` both report the index's size this way.
func MeasureHeapMB(build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}
