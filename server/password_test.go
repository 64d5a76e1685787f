package server

import (
	"context"
	"strings"
	"testing"
)

func TestHasherRoundTrip(t *testing.T) {
	h := newHasher(ArgonParams{Memory: 64, Time: 1, Threads: 1})
	ctx := context.Background()
	phc, err := h.Hash(ctx, "s3cret-pass")
	if err != nil || !strings.HasPrefix(phc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("%q %v", phc, err)
	}
	for pw, want := range map[string]bool{"s3cret-pass": true, "s3cret-pasS": false, "": false} {
		if ok, err := h.Verify(ctx, pw, phc); ok != want || err != nil {
			t.Errorf("verify %q = %v, %v", pw, ok, err)
		}
	}
	if ok, _ := h.Verify(ctx, "x", ""); ok {
		t.Error("unknown user verified")
	}
	for _, bad := range []string{"plain", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA"} {
		if ok, err := h.Verify(ctx, "x", bad); ok || err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	// A cancelled caller does not wait for a hashing slot.
	full := newHasher(ArgonParams{Memory: 64, Time: 1, Threads: 1})
	for range cap(full.slots) {
		full.slots <- struct{}{}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := full.Hash(cctx, "x"); err == nil {
		t.Fatal("hash ran without a slot")
	}
}

// BenchmarkArgon2OWASP is one production-cost hash: the floor under login latency
// (logins/s on n cores ≈ n / this).
func BenchmarkArgon2OWASP(b *testing.B) {
	h := newHasher(OWASPArgon)
	for b.Loop() {
		h.hash("correct-horse-battery")
	}
}
