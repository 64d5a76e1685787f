package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ArgonParams are argon2id cost parameters. The defaults are OWASP's minimum
// (m = 19 MiB, t = 2, p = 1).
type ArgonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OWASPArgon is the production default, OWASP's minimum: m = 19 MiB, t = 2, p = 1.
var OWASPArgon = ArgonParams{Memory: 19 * 1024, Time: 2, Threads: 1}

// hasher hashes passwords with argon2id into PHC strings. A semaphore caps concurrent
// hashes (about one per core) so a login burst queues instead of exhausting memory.
type hasher struct {
	p     ArgonParams
	slots chan struct{}
	dummy string
}

func newHasher(p ArgonParams) *hasher {
	h := &hasher{p: p, slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
	h.dummy = h.hash("timing-equalizer-" + randomToken(16))
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.slots }

func (h *hasher) hash(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.p.Memory, h.p.Time, h.p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Hash returns the PHC string of password.
func (h *hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash(password), nil
}

// Verify reports whether password matches the PHC string. An empty phc (unknown user)
// verifies against a dummy hash so the answer takes as long as a real miss.
func (h *hasher) Verify(ctx context.Context, password, phc string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	if phc == "" {
		_, _ = verifyPHC(password, h.dummy)
		return false, nil
	}
	return verifyPHC(password, phc)
}

func verifyPHC(password, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("unsupported password hash")
	}
	var version int
	var p ArgonParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("bad argon2 parameters: %w", err)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
