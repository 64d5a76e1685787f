// Package secretbox encrypts secrets at rest (OAuth tokens, PKCE verifiers) with AES-256-GCM.
//
// A sealed value is the text "v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>": the key id
// (the first 8 hex digits of SHA-256 of the key) travels with the ciphertext, so after a key
// rotation values sealed with a previous key still open while new ones use the current key.
// Callers pass associated data naming where a value lives (table, row, column), so a
// ciphertext copied into another row or column does not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the key length: AES-256.
const KeySize = 32

const version = "v1"

// ErrOpen: the value is malformed, sealed with an unknown key, tampered with, or bound to other
// associated data.
var ErrOpen = errors.New("secretbox: cannot open sealed value")

// Box seals with its current key and opens with any of its keys.
type Box struct {
	current string
	aeads   map[string]cipher.AEAD
}

// New builds a Box from the current key and any previous ones (each KeySize bytes).
func New(current []byte, previous ...[]byte) (*Box, error) {
	b := &Box{aeads: map[string]cipher.AEAD{}}
	for i, k := range append([][]byte{current}, previous...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("secretbox: key %d has %d bytes, want %d", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := KeyID(k)
		if i == 0 {
			b.current = id
		}
		b.aeads[id] = aead
	}
	return b, nil
}

// ParseKey decodes a key given as standard or URL-safe base64 (padded or not).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("key decodes to %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("key is not base64")
}

// NewKey returns a fresh random key, base64-encoded (what ParseKey reads).
func NewKey() string {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k) // crypto/rand never fails on supported platforms
	return base64.StdEncoding.EncodeToString(k)
}

// KeyID names a key without revealing it.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// CurrentKeyID is the id of the key Seal uses.
func (b *Box) CurrentKeyID() string { return b.current }

// Seal encrypts plaintext bound to aad under the current key.
func (b *Box) Seal(plaintext, aad []byte) string {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, plaintext, aad)
	return version + "." + b.current + "." + base64.RawURLEncoding.EncodeToString(sealed)
}

// Open decrypts a value Seal made with aad, under whichever of the box's keys sealed it.
func (b *Box) Open(sealed string, aad []byte) ([]byte, error) {
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 || parts[0] != version {
		return nil, ErrOpen
	}
	aead, ok := b.aeads[parts[1]]
	if !ok {
		return nil, fmt.Errorf("%w: unknown key %s", ErrOpen, parts[1])
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// KeyIDOf returns the id of the key a sealed value was made with ("" when malformed).
func KeyIDOf(sealed string) string {
	parts := strings.Split(sealed, ".")
	if len(parts) != 3 || parts[0] != version {
		return ""
	}
	return parts[1]
}
