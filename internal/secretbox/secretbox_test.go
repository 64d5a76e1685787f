package secretbox

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	box, err := New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("ya29.refresh-token-canary")
	aad := []byte("integrations/u1/google_calendar/refresh")
	a, b := box.Seal(secret, aad), box.Seal(secret, aad)
	if a == b {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	if strings.Contains(a, string(secret)) || !strings.HasPrefix(a, "v1."+KeyID(key(1))+".") {
		t.Fatalf("sealed value %q", a)
	}
	got, err := box.Open(a, aad)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("open: %q %v", got, err)
	}
	if KeyIDOf(a) != box.CurrentKeyID() || KeyIDOf("junk") != "" {
		t.Fatal("KeyIDOf")
	}
}

func TestOpenRefuses(t *testing.T) {
	box, _ := New(key(1))
	other, _ := New(key(2))
	aad := []byte("row-1")
	sealed := box.Seal([]byte("secret"), aad)
	flip := []byte(sealed)
	flip[len(flip)-3] ^= 1
	for name, tc := range map[string]struct {
		box    *Box
		sealed string
		aad    string
	}{
		"other associated data": {box, sealed, "row-2"},
		"unknown key":           {other, sealed, "row-1"},
		"tampered":              {box, string(flip), "row-1"},
		"truncated":             {box, sealed[:20], "row-1"},
		"not sealed":            {box, "secret", "row-1"},
		"wrong version":         {box, "v2" + sealed[2:], "row-1"},
		"bad base64":            {box, "v1." + KeyID(key(1)) + ".!!!", "row-1"},
	} {
		if _, err := tc.box.Open(tc.sealed, []byte(tc.aad)); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRotation(t *testing.T) {
	old, _ := New(key(1))
	sealed := old.Seal([]byte("secret"), nil)
	rotated, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed, nil); err != nil || string(got) != "secret" {
		t.Fatalf("previous key no longer opens: %v", err)
	}
	if KeyIDOf(rotated.Seal([]byte("x"), nil)) != KeyID(key(2)) {
		t.Fatal("seals with a previous key")
	}
}

func TestKeys(t *testing.T) {
	if _, err := New(key(1)[:16]); err == nil {
		t.Fatal("short key accepted")
	}
	k, err := ParseKey(NewKey())
	if err != nil || len(k) != KeySize {
		t.Fatalf("NewKey/ParseKey: %v", err)
	}
	for _, bad := range []string{"", "not base64 ***", "c2hvcnQ="} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if NewKey() == NewKey() {
		t.Fatal("NewKey repeats")
	}
}
