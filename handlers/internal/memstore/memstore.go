// Package memstore is a TEMPORARY stand-in for storage while it is being
// written; deleted once storage lands.
package memstore

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

type Store struct {
	mu     sync.Mutex
	subs   map[herald.SubscriberKey]herald.Subscriber
	bcs    map[string]herald.Broadcast
	runs   map[string][]herald.Run
	dels   map[string][]herald.Delivery
	taps   map[string]map[string]*herald.TapCount
	uniq   map[string]bool
	audits []herald.AuditEntry
	seq    uint32
}

func New() *Store {
	return &Store{subs: map[herald.SubscriberKey]herald.Subscriber{}, bcs: map[string]herald.Broadcast{},
		runs: map[string][]herald.Run{}, dels: map[string][]herald.Delivery{}, taps: map[string]map[string]*herald.TapCount{}, uniq: map[string]bool{}}
}

func clone(s herald.Subscriber) herald.Subscriber {
	s.Tags = slices.Clone(s.Tags)
	s.Attributes = maps.Clone(s.Attributes)
	return s
}

func (m *Store) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[herald.SubscriberKey]herald.Subscriber{}
	for i, k := range keys {
		s, ok := m.subs[k]
		s = clone(s)
		if !ok {
			s = herald.Subscriber{Platform: k.Platform, ID: k.ID}
		}
		if err := fn(i, &s, !ok); err != nil {
			return err
		}
		if err := s.Validate(); err != nil {
			return err
		}
		if s.Seq == 0 {
			m.seq++
			s.Seq = m.seq
		}
		out[k] = s
	}
	maps.Copy(m.subs, out)
	return nil
}

func (m *Store) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	err := m.UpdateSubscribers([]herald.SubscriberKey{key}, func(_ int, s *herald.Subscriber, c bool) error {
		return fn(s, c)
	})
	if err != nil {
		return herald.Subscriber{}, err
	}
	return m.Subscriber(key)
}

func (m *Store) Subscriber(key herald.SubscriberKey) (herald.Subscriber, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[key]
	if !ok {
		return s, herald.ErrNotFound
	}
	return clone(s), nil
}

func (m *Store) DeleteSubscriber(key herald.SubscriberKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.subs[key]; !ok {
		return herald.ErrNotFound
	}
	delete(m.subs, key)
	return nil
}

func (m *Store) Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := herald.Count{ByPlatform: map[herald.Platform]int{}}
	for _, s := range m.subs {
		if a.Matches(&s, now) {
			c.Total++
			c.ByPlatform[s.Platform]++
			if s.Kind == herald.KindGroup {
				c.Groups++
			} else {
				c.Users++
			}
		}
	}
	return c, nil
}

func (m *Store) CreateBroadcast(b *herald.Broadcast) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.bcs {
		if o.Name == b.Name && o.Status.Unfinished() {
			return herald.ErrConflict
		}
	}
	if b.ID == "" {
		b.ID = herald.NewBroadcastID(4)
	}
	b.CreatedAt, b.UpdatedAt = time.Now(), time.Now()
	m.bcs[b.ID] = *b
	return nil
}

func (m *Store) Broadcast(id string) (herald.Broadcast, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bcs[id]
	if !ok {
		return b, herald.ErrNotFound
	}
	return b, nil
}

func (m *Store) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.bcs[id]
	if !ok {
		return b, herald.ErrNotFound
	}
	old := b.Status
	if err := fn(&b); err != nil {
		return herald.Broadcast{}, err
	}
	if b.Status != old {
		if err := herald.Transition(old, b.Status); err != nil {
			return herald.Broadcast{}, err
		}
	}
	m.bcs[id] = b
	return b, nil
}

func (m *Store) ListBroadcasts(q storage.BroadcastQuery) ([]herald.Broadcast, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []herald.Broadcast
	for _, b := range m.bcs {
		if len(q.Statuses) == 0 || slices.Contains(q.Statuses, b.Status) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b herald.Broadcast) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if q.Offset < len(out) {
		out = out[q.Offset:]
	} else {
		out = nil
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (m *Store) AddRun(r herald.Run, ds []herald.Delivery) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[r.BroadcastID] = append(m.runs[r.BroadcastID], r)
	m.dels[r.ID] = ds
}

func (m *Store) RunsOf(id string) ([]herald.Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.runs[id], nil
}

func (m *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []herald.Delivery
	for _, d := range m.dels[runID] {
		if d.Seq > after && (outcome == "" || d.Outcome == outcome) && (limit == 0 || len(out) < limit) {
			out = append(out, d)
		}
	}
	return out, nil
}

func (m *Store) RecordTaps(taps []herald.Tap) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range taps {
		if m.taps[t.BroadcastID] == nil {
			m.taps[t.BroadcastID] = map[string]*herald.TapCount{}
		}
		c := m.taps[t.BroadcastID][t.ButtonID]
		if c == nil {
			c = &herald.TapCount{ButtonID: t.ButtonID}
			m.taps[t.BroadcastID][t.ButtonID] = c
		}
		c.Taps++
		u := t.BroadcastID + "|" + t.ButtonID + "|" + t.Subscriber.String()
		if !m.uniq[u] {
			m.uniq[u] = true
			c.Unique++
		}
	}
	return nil
}

func (m *Store) Taps(id string) ([]herald.TapCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []herald.TapCount
	for _, c := range m.taps[id] {
		out = append(out, *c)
	}
	return out, nil
}

func (m *Store) Audit(e herald.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audits = append(m.audits, e)
	return nil
}

func (m *Store) AuditLog(target string, limit int) ([]herald.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.audits), nil
}
