package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/xentree/xentree-api/internal/clock"
)

// Token issuer constants.
const (
	tokenIssuer   = "xentree"
	tokenAudience = "xentree-api"
	// defaultAccessTTL is the access token lifetime unless Config.AccessTTL says otherwise.
	defaultAccessTTL = 15 * time.Minute
	// minSecretLength is the shortest JWT secret accepted (HS256 wants 256 bits of key).
	minSecretLength = 32
)

// accessClaims are the claims of an access token. Sid names the session, checked on every
// request so logout and revocation act at once; Typ keeps other JWTs from passing as access tokens.
type accessClaims struct {
	jwt.RegisteredClaims
	Sid string `json:"sid"`
	Typ string `json:"typ"`
}

type signingKey struct {
	id     string
	secret []byte
}

// tokenKeys signs with the first key and verifies with any, so a rotated-out secret keeps
// verifying the tokens it signed until they expire (at most the access TTL).
type tokenKeys struct {
	keys      []signingKey
	parser    *jwt.Parser
	validator *jwt.Validator
	clock     clock.Clock
	ttl       time.Duration
	// verified caches the claims of tokens whose signature and form already checked out, so a
	// client's repeated requests skip the base64, JSON and HMAC work. Time, issuer and audience
	// are still validated on every use, and the session is still checked in the database.
	verifiedMu sync.Mutex
	verified   map[string]*accessClaims
}

// verifiedMax bounds the cache (a few hundred bytes an entry); when full, one arbitrary entry
// makes room.
const verifiedMax = 2048

func newTokenKeys(current string, previous []string, clk clock.Clock) (*tokenKeys, error) {
	opts := []jwt.ParserOption{
		jwt.WithTimeFunc(clk.Now),
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(5 * time.Second),
	}
	t := &tokenKeys{clock: clk, ttl: defaultAccessTTL, parser: jwt.NewParser(opts...), validator: jwt.NewValidator(opts...),
		verified: make(map[string]*accessClaims)}
	for _, s := range append([]string{current}, previous...) {
		if len(s) < minSecretLength {
			return nil, fmt.Errorf("JWT secrets must be at least %d characters", minSecretLength)
		}
		sum := sha256.Sum256([]byte(s))
		t.keys = append(t.keys, signingKey{id: hex.EncodeToString(sum[:6]), secret: []byte(s)})
	}
	return t, nil
}

func (t *tokenKeys) issue(userID, sessionID string) (string, error) {
	k, now := t.keys[0], t.clock.Now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			ID:        randomToken(12),
			Issuer:    tokenIssuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
		Sid: sessionID,
		Typ: "access",
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = k.id
	return tok.SignedString(k.secret)
}

func (t *tokenKeys) verify(raw string) (*accessClaims, error) {
	t.verifiedMu.Lock()
	cached := t.verified[raw]
	t.verifiedMu.Unlock()
	if cached != nil {
		if err := t.validator.Validate(cached); err != nil {
			return nil, fmt.Errorf("%w: %w", jwt.ErrTokenInvalidClaims, err)
		}
		return cached, nil
	}
	c, err := t.parse(raw)
	if err != nil {
		return nil, err
	}
	t.verifiedMu.Lock()
	if len(t.verified) >= verifiedMax {
		for k := range t.verified {
			delete(t.verified, k)
			break
		}
	}
	t.verified[raw] = c
	t.verifiedMu.Unlock()
	return c, nil
}

// parse fully verifies raw: signature under a known key, form, claims.
func (t *tokenKeys) parse(raw string) (*accessClaims, error) {
	var c accessClaims
	_, err := t.parser.ParseWithClaims(raw, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		for _, k := range t.keys {
			if k.id == kid {
				return k.secret, nil
			}
		}
		return nil, fmt.Errorf("unknown key id %q", kid)
	})
	if err != nil {
		return nil, err
	}
	// Ids are canonical UUIDs, as issued: anything else would reach PostgreSQL's uuid columns
	// and fail there (a 500) rather than here (a 401).
	if c.Typ != "access" || !canonicalUUID(c.Sid) || !canonicalUUID(c.Subject) {
		return nil, errors.New("not an access token")
	}
	return &c, nil
}

// canonicalUUID reports whether s is a UUID in its lower-case hyphenated form.
func canonicalUUID(s string) bool {
	id, err := uuid.Parse(s)
	return err == nil && id.String() == s
}

// randomToken returns n random bytes, URL-safe base64 without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// secretHash is the stored form of high-entropy secrets (refresh tokens, API keys): a fast
// hash is enough because the secrets cannot be guessed.
func secretHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// NewSecret returns a fresh random secret suitable for XENTREE_JWT_SECRET.
func NewSecret() string { return randomToken(48) }
