package platformtest

// deliveryLogChunk is how many deliveries one block of the log holds.
const deliveryLogChunk = 4096

// deliveryLog is an append-only list of deliveries kept in fixed-size
// blocks. A plain slice copied everything recorded so far each time it grew,
// under the recorder's lock, stalling every fake during a load test; blocks
// are never copied.
type deliveryLog struct {
	blocks [][]Delivery
	n      int
}

func (l *deliveryLog) add(d Delivery) {
	if k := len(l.blocks); k == 0 || len(l.blocks[k-1]) == deliveryLogChunk {
		l.blocks = append(l.blocks, make([]Delivery, 0, deliveryLogChunk))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, d)
	l.n++
}

// each calls f for every delivery in order.
func (l *deliveryLog) each(f func(d *Delivery)) {
	for _, b := range l.blocks {
		for i := range b {
			f(&b[i])
		}
	}
}
