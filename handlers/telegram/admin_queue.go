package telegram

// ownerIndex remembers which admin a wizard message with buttons belongs
// to, so a press by someone else is refused. It forgets the oldest entries
// beyond its size; a forgotten message is open to every admin (each
// still acts only on their own session).
type ownerIndex struct {
	size  int
	owner map[msgKey]int64
	order []msgKey
}

// msgKey is one message in one chat.
type msgKey struct {
	chat int64
	id   int
}

func newOwnerIndex(size int) *ownerIndex {
	return &ownerIndex{size: size, owner: map[msgKey]int64{}}
}

func (o *ownerIndex) set(k msgKey, user int64) {
	if _, ok := o.owner[k]; !ok {
		o.order = append(o.order, k)
	}
	o.owner[k] = user
	for len(o.order) > o.size {
		delete(o.owner, o.order[0])
		o.order = o.order[1:]
	}
}

func (o *ownerIndex) get(k msgKey) int64 { return o.owner[k] }
