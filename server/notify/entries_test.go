package notify

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// TestInboxOnTheSandboxRedis runs the inbox's scripts on miniredis: an
// entry is kept once per kind and key, newest first, the oldest goes past
// the bound, marking read keeps it, and it all expires a fortnight after
// the newest.
func TestInboxOnTheSandboxRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	b := NewInbox(redis.NewClient(&redis.Options{Addr: mr.Addr()}), "t:")
	ctx := context.Background()
	for i := range maxEntries + 3 {
		ev := Event{Kind: Message, Patient: "p1", Key: strconv.Itoa(i), Path: "/messages", At: int64(1000 + i)}
		if err := b.add(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.add(ctx, Event{Kind: Message, Patient: "p1", Key: "22", Path: "/elsewhere", At: 5000}); err != nil {
		t.Fatal(err)
	}
	list, err := b.list(ctx, "p1")
	if err != nil || len(list) != maxEntries {
		t.Fatalf("list: %v, %d entries, want %d", err, len(list), maxEntries)
	}
	if list[0].Key != "22" || list[0].Path != "/messages" || list[len(list)-1].Key != "3" {
		t.Errorf("not newest first, once each, oldest dropped: first %+v, last %+v", list[0], list[len(list)-1])
	}
	if err := b.markRead(ctx, list[0]); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := b.one(ctx, "p1", Message, "22"); err != nil || !ok || !e.Read {
		t.Errorf("after marking read: %v %v %+v", err, ok, e)
	}
	if _, ok, _ := b.one(ctx, "p1", Message, "0"); ok {
		t.Error("the oldest entry outlived the bound")
	}
	if other, _ := b.list(ctx, "p2"); len(other) != 0 {
		t.Errorf("another patient sees %d entries", len(other))
	}
	mr.FastForward(entryTTL + time.Second)
	if list, _ := b.list(ctx, "p1"); len(list) != 0 {
		t.Errorf("%d entries outlived the fortnight", len(list))
	}
	// Marking read what has expired does not bring it back.
	if err := b.markRead(ctx, entry{Event: Event{Kind: Message, Patient: "p1", Key: "22"}}); err != nil {
		t.Fatal(err)
	}
	if mr.Exists(b.keys("p1")[0]) {
		t.Error("marking an expired entry read made a key without an expiry")
	}
}
