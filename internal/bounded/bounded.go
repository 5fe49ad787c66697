// Package bounded is a process-local cache of at most a given number of
// entries, safe for concurrent use. When full it starts again empty: every
// user of it can make an entry again from its source, so nothing cleverer
// than a bound is needed.
package bounded

import "sync"

// DefaultMax is the bound of a Map whose Max is not set.
const DefaultMax = 20000

// Map holds at most Max entries (DefaultMax when Max is 0). Its zero value
// is ready to use.
type Map[K comparable, V any] struct {
	Max int

	mu sync.Mutex
	m  map[K]V
}

// Get returns the entry for k.
func (b *Map[K, V]) Get(k K) (V, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[k]
	return v, ok
}

// Put stores v for k, emptying the map first when it is full.
func (b *Map[K, V]) Put(k K, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := b.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	if b.m == nil || len(b.m) >= limit {
		b.m = make(map[K]V)
	}
	b.m[k] = v
}
