package server_test

// Fuzz targets for the decoding paths that take free text from clients, through the real Echo
// stack (validator, authentication, strict handlers, store). Every response is checked by the
// harness (documented status, body valid against openapi.yaml, never a 5xx); each target adds
// its own oracle on top. `make test` runs the seed corpora (f.Add and testdata/fuzz) on SQLite
// and, when it is configured, PostgreSQL; `make fuzz` runs the fuzzing engine on SQLite.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/search"
	"github.com/xentree/xentree-api/server"
)

// fuzzNow is the frozen time of the fuzz fixtures: tokens never expire during a run.
var fuzzNow = at("2026-11-27T12:00:00Z")

// fuzzCanary is a word only in another user's private document: no search may show it.
const fuzzCanary = "zqxcanaryfuzz"

// fuzzFixture is one database's application with the accounts the targets use.
type fuzzFixture struct {
	h     *harness
	u     *user  // the caller
	other *user  // owns a private document holding fuzzCanary
	sid   string // u's session id (from its access token)
	key   string // u's API key: conversations:read and rag:read
}

// fuzzing reports whether the fuzzing engine runs (go test -fuzz), rather than the seed corpus.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// fuzzFixtures builds a fixture on SQLite, and on PostgreSQL when it is configured and only the
// seed corpus runs (the fuzzing engine, in its worker processes, uses SQLite).
func fuzzFixtures(f *testing.F) []*fuzzFixture {
	f.Helper()
	kinds := []string{"sqlite"}
	if os.Getenv(envPostgresURL) != "" && !fuzzing() {
		kinds = append(kinds, "postgres")
	} else if os.Getenv(envRequirePostgres) == "1" && !fuzzing() {
		f.Fatalf("%s is required but not set", envPostgresURL)
	}
	limits := func(c *server.Config) { c.LoginAccountLimit, c.LoginIPLimit = 1<<30, 1<<30 }
	var out []*fuzzFixture
	for _, kind := range kinds {
		h := newHarness(f, kind, limits)
		h.clock.Freeze(fuzzNow)
		fx := &fuzzFixture{h: h, u: h.newUser("fuzz"), other: h.newUser("fuzz_other")}
		fx.sid = tokenClaims(f, fx.u.Access).Sid
		org := h.createOrg(fx.u, "Fuzz org")
		fx.key, _ = h.newKey(fx.u, org.Id.String(), []string{"conversations:read", "rag:read"})
		h.createDoc(fx.u, "Refund policy", "# Refunds\n\nAsk for a refund within 30 days of purchase.", "")
		h.createDoc(fx.other, "Secret", "The word "+fuzzCanary+" is private.", "")
		out = append(out, fx)
	}
	return out
}

// on returns the fixture with its harness reporting to t (an input's test, not the F).
func (fx *fuzzFixture) on(t *testing.T) *fuzzFixture {
	c, h := *fx, *fx.h
	h.t = t
	c.h = &h
	return &c
}

// each runs fn on every fixture.
func each(t *testing.T, fxs []*fuzzFixture, fn func(fx *fuzzFixture)) {
	t.Helper()
	for _, fx := range fxs {
		fn(fx.on(t))
	}
}

// checkErrorShape fails t unless a 4xx answer is the Error body (the harness has already held
// every answer to its schema and refused 5xx).
func checkErrorShape(t *testing.T, r resp) {
	t.Helper()
	if r.Status >= 400 {
		r.errorBody(t)
	}
}

// headerValue is v as an HTTP server would deliver it, or false when net/http would refuse
// the request (control characters other than tab).
func headerValue(v string) (string, bool) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return "", false
		}
	}
	return strings.Trim(v, " \t"), true
}

// jsonString writes s as a JSON string literal byte for byte: quotes, backslashes and control
// characters escaped, everything else (invalid UTF-8 too) left raw, as a careless client would.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ':
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// decodedJSON is what a JSON decoder makes of jsonString(s).
func decodedJSON(s string) string {
	var out string
	if err := json.Unmarshal([]byte(jsonString(s)), &out); err != nil {
		panic(err)
	}
	return out
}

// plainText reports text every field accepts: valid UTF-8 without NUL.
func plainText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// tokenClaims decodes the claims of a JWT without verifying it.
func tokenClaims(t testing.TB, tok string) fuzzClaims {
	t.Helper()
	var c fuzzClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("undecodable claims in %q", tok)
	}
	return c
}

// fuzzClaims are the claims the server reads, decoded as the server decodes them (encoding/json
// into tagged fields, so key case is ignored alike).
type fuzzClaims struct {
	Sub string `json:"sub"`
	Sid string `json:"sid"`
	Typ string `json:"typ"`
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// FuzzLogin: POST /api/auth/login with any content type and body. Only the right password for
// the account's username or email logs in; a well-formed form holding exactly that does.
func FuzzLogin(f *testing.F) {
	fxs := fuzzFixtures(f)
	const form = "application/x-www-form-urlencoded"
	u := fxs[0].u // every fixture's user has the same name and password
	good := url.Values{"username": {u.Username}, "password": {u.Password}}.Encode()
	for _, s := range []struct{ ctype, body string }{
		{form, good},
		{form, url.Values{"username": {u.Email}, "password": {u.Password}}.Encode()},
		{form, url.Values{"username": {strings.ToUpper(u.Username)}, "password": {u.Password}}.Encode()},
		{form, url.Values{"username": {u.Username}, "password": {u.Password + "x"}}.Encode()},
		{form, good + "&grant_type=password&scope="},
		{form, good + "&username=" + u.Username},
		{form, "username=" + u.Username + ";password=" + u.Password},
		{form, "username=%zz&password=x"},
		{form, "username=%ff%fe&password=x"},
		{form, "username=a%00b&password=x"},
		{form, "username=\xff&password=\x00"},
		{form, "username=a+b&password=%20"},
		{form, "username=&password="},
		{form, "username=" + strings.Repeat("a", 255) + "&password=" + strings.Repeat("p", 129)},
		{form, "username=' OR '1'='1&password=' OR 1=1 --"},
		{form, "username=%E2%80%AE" + u.Username + "&password=x"},
		{form, "=&&&=&username"},
		{form + "; charset=utf-8", good},
		{"APPLICATION/X-WWW-FORM-URLENCODED", "username=%ff&password=%00"},
		{"application/json", `{"username":"` + u.Username + `","password":"` + u.Password + `"}`},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n" + u.Username + "\r\n--x--"},
		{"", good},
		{"text/plain", good},
		{form, strings.Repeat("username=a&", 5000) + "password=b"},
	} {
		f.Add(s.ctype, s.body)
	}
	f.Fuzz(func(t *testing.T, ctype, body string) {
		ctype, ok := headerValue(ctype)
		if !ok {
			return
		}
		q, qerr := url.ParseQuery(body)
		each(t, fxs, func(fx *fuzzFixture) {
			req := httptest.NewRequest("POST", "/api/auth/login", strings.NewReader(body))
			req.RemoteAddr = ""
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			r := fx.h.do(req)
			checkErrorShape(t, r)
			isForm := ctype == form || strings.HasPrefix(ctype, form+";")
			exact := isForm && qerr == nil && len(q["username"]) == 1 && len(q["password"]) == 1 &&
				(q.Get("username") == fx.u.Username || q.Get("username") == fx.u.Email) && q.Get("password") == fx.u.Password
			switch {
			case r.Status == 200:
				var tok api.TokenResponse
				r.decode(t, &tok)
				c := tokenClaims(t, tok.AccessToken)
				if c.Sub != fx.u.ID || qerr != nil || q.Get("password") != fx.u.Password {
					t.Fatalf("logged in as %q with %q (%s)", c.Sub, body, ctype)
				}
			case exact:
				t.Fatalf("the right credentials in %q (%s) were refused: %d %s", body, ctype, r.Status, r.Body)
			}
		})
	})
}

// FuzzAPIKeyHeader: any X-API-Key value on an API-key route. Only the key itself is accepted;
// anything else is 401.
func FuzzAPIKeyHeader(f *testing.F) {
	fxs := fuzzFixtures(f)
	k := fxs[0].key
	for _, s := range []string{
		k, "", " ", "xntr-", k[:len(k)-1], k + "A", strings.ToUpper(k), "xntr-" + strings.Repeat("A", 86),
		"xntr-" + strings.Repeat("é", 43), k[:20] + "\x00" + k[21:], k[:20] + "\xff" + k[21:], "Bearer " + k,
		k + "," + k, "' OR 1=1 --", strings.Repeat("x", 8000), "xntr-\u202e" + strings.Repeat("a", 83),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		key, ok := headerValue(key)
		if !ok {
			return
		}
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.raw("GET", "/api/core/search?q=refund", nil, header{"X-API-Key", key})
			checkErrorShape(t, r)
			want := 401
			if key == fx.key {
				want = 200
			}
			if r.Status != want {
				t.Fatalf("X-API-Key %q: %d %s, want %d", key, r.Status, r.Body, want)
			}
		})
	})
}

// FuzzBearerHeader: any Authorization value on a bearer route. Only "Bearer <the token>" is
// accepted (the signature segment may differ in the unused bits of its last base64 character,
// which decode to the same bytes); anything else is 401.
func FuzzBearerHeader(f *testing.F) {
	fxs := fuzzFixtures(f)
	tok := fxs[0].u.Access
	parts := strings.Split(tok, ".")
	for _, s := range []string{
		"Bearer " + tok, tok, "bearer " + tok, "Bearer  " + tok, "Bearer " + tok + " ", "Bearer " + tok + "," + tok,
		"Bearer " + tok[:len(tok)-1], "Bearer " + parts[0] + "." + parts[1] + ".", "Bearer " + parts[0] + "." + parts[1],
		"Bearer " + b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", "Bearer " + fxs[0].u.Refresh,
		"Bearer " + b64(`{"alg":"HS256","kid":"../../etc/passwd"}`) + "." + parts[1] + "." + parts[2],
		"Bearer ...", "Bearer \xff\xfe", "Basic dXNlcjpwYXNz", "Bearer " + strings.Repeat("A", 8000),
		"Bearer " + parts[0] + "." + b64(`{"sub":"x","sid":"y","typ":"access"}`) + "." + parts[2],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, auth string) {
		auth, ok := headerValue(auth)
		if !ok {
			return
		}
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.raw("GET", "/api/auth/me", nil, header{"Authorization", auth})
			checkErrorShape(t, r)
			want := 401
			if sameToken(auth, "Bearer "+fx.u.Access) {
				want = 200
			}
			if r.Status != want {
				t.Fatalf("Authorization %q: %d %s, want %d", auth, r.Status, r.Body, want)
			}
		})
	})
}

// sameToken reports whether header a carries the token of header b: the same prefix, header
// and claims segments, and a signature segment decoding to the same bytes.
func sameToken(a, b string) bool {
	if a == b {
		return true
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != 3 || len(pb) != 3 || pa[0] != pb[0] || pa[1] != pb[1] {
		return false
	}
	sa, err1 := base64.RawURLEncoding.DecodeString(pa[2])
	sb, err2 := base64.RawURLEncoding.DecodeString(pb[2])
	return err1 == nil && err2 == nil && bytes.Equal(sa, sb)
}

// FuzzBearerClaims: tokens signed with the server's own secret around any header and claims
// JSON. Even a validly signed token authenticates only the live session it names, for the
// user who holds it, as an HS256 access token.
func FuzzBearerClaims(f *testing.F) {
	fxs := fuzzFixtures(f)
	fx0 := fxs[0]
	kid := tokenKID(f, fx0.u.Access)
	exp, iat := fuzzNow.Add(10*time.Minute).Unix(), fuzzNow.Unix()
	claims := func(sub, sid, typ, extra string) string {
		return fmt.Sprintf(`{"iss":"xentree","aud":["xentree-api"],"sub":%q,"sid":%q,"typ":%q,"iat":%d,"nbf":%d,"exp":%d%s}`,
			sub, sid, typ, iat, iat, exp, extra)
	}
	hdr := `{"alg":"HS256","typ":"JWT","kid":"` + kid + `"}`
	good := claims(fx0.u.ID, fx0.sid, "access", "")
	for _, s := range [][2]string{
		{hdr, good},
		{hdr, claims(fx0.other.ID, fx0.sid, "access", "")},
		{hdr, claims(fx0.u.ID, "00000000-0000-0000-0000-000000000000", "access", "")},
		{hdr, claims(fx0.u.ID, fx0.sid, "refresh", "")},
		{hdr, claims(fx0.u.ID, fx0.sid, "", "")},
		{hdr, claims("' OR 1=1 --", fx0.sid, "access", "")},
		{hdr, claims(fx0.u.ID, fx0.sid+"\x00", "access", "")},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"SUB":"x","Sid":"y"`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"exp":1`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"exp":"soon"`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"exp":1e300`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"nbf":9999999999`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"aud":"other"`)},
		{hdr, claims(fx0.u.ID, fx0.sid, "access", `,"iss":null`)},
		{hdr, `{"sub":1,"sid":[],"typ":{}}`},
		{hdr, `null`}, {hdr, `[]`}, {hdr, ``}, {hdr, `{`},
		{`{"alg":"none","kid":"` + kid + `"}`, good},
		{`{"alg":"HS512","kid":"` + kid + `"}`, good},
		{`{"alg":"HS256"}`, good},
		{`{"alg":"HS256","kid":7}`, good},
		{`{"alg":"HS256","kid":"` + kid + `","crit":["exp"]}`, good},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, header, payload string) {
		input := b64(header) + "." + b64(payload)
		sig := jwt.SigningMethodHS256
		s, err := sig.Sign(input, []byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		tok := input + "." + base64.RawURLEncoding.EncodeToString(s)
		var c fuzzClaims
		var hd struct {
			Alg string `json:"alg"`
		}
		cerr, herr := json.Unmarshal([]byte(payload), &c), json.Unmarshal([]byte(header), &hd)
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.raw("GET", "/api/auth/me", nil, bearer(tok))
			checkErrorShape(t, r)
			switch {
			case r.Status == 200:
				var me api.UserProfile
				r.decode(t, &me)
				if cerr != nil || herr != nil || hd.Alg != "HS256" || c.Sub != fx.u.ID || c.Sid != fx.sid || c.Typ != "access" || me.Id.String() != fx.u.ID {
					t.Fatalf("header %s claims %s authenticated %s", header, payload, me.Id)
				}
			case r.Status != 401:
				t.Fatalf("header %s claims %s: %d %s", header, payload, r.Status, r.Body)
			case header == hdr && payload == claims(fx.u.ID, fx.sid, "access", ""):
				t.Fatalf("the server's own token was refused: %s", r.Body)
			}
		})
	})
}

// tokenKID is the key id in the header of an access token the server issued.
func tokenKID(t testing.TB, tok string) string {
	t.Helper()
	var hd struct {
		Kid string `json:"kid"`
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if err != nil || json.Unmarshal(b, &hd) != nil || hd.Kid == "" {
		t.Fatalf("no kid in %q", tok)
	}
	return hd.Kid
}

// do serves a hand-made request.
func (h *harness) do(req *http.Request) resp {
	h.t.Helper()
	res, _ := h.Do(req)
	b := new(bytes.Buffer)
	b.ReadFrom(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

// FuzzSearchQuery: any query text through content search (a URL parameter), knowledge search
// and RAG (JSON strings). Text every field takes within the length bounds is 200, the rest 400;
// no answer holds another user's private document, snippets are HTML-safe, and a query with no
// searchable word finds nothing.
func FuzzSearchQuery(f *testing.F) {
	fxs := fuzzFixtures(f)
	for _, s := range hostileQueries {
		f.Add(s)
	}
	for _, s := range []string{
		"refund", "Refund policy", `"refund" OR NEAR(x*)`, fuzzCanary, strings.ToUpper(fuzzCanary), `"` + fuzzCanary + `"`,
		"refund*", "-refund", "title:refund", "body : secret", "^refund", "(refund", "refund)", "NEAR(refund secret, 2)",
		"refund AND NOT secret", "{title heading body} : refund", "scope : u_x", `"" OR ""`, `"`, `""`, "*", ":", "-", "^",
		"'; DROP TABLE users; --", `refund' OR 1=1 --`, `\"refund\\`, "a\x00b", "\xff\xfe", "\xe2\x80", "refund\xc3",
		"\u202erefund\u202c", "\u200brefund\u200d", "\uE000refund\uE001", "<mark>refund</mark>", "&lt;script&gt;",
		"", " ", "\t\n", strings.Repeat("é", 500), strings.Repeat("é", 501), strings.Repeat("a", 2000), strings.Repeat("a ", 1001),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		jq := decodedJSON(q)
		urlOK := plainText(q) && q != "" && utf8.RuneCountInString(q) <= 500
		jsonOK := !strings.ContainsRune(jq, 0) && jq != "" && utf8.RuneCountInString(jq) <= 2000
		none := len(search.Terms(jq, 0)) == 0
		echoes := strings.Contains(strings.ToLower(q), fuzzCanary)
		body := `{"query":` + jsonString(q) + `,"limit":20}`
		each(t, fxs, func(fx *fuzzFixture) {
			h := fx.h
			check := func(name string, r resp, ok bool, hits int, titles, snippets []string) {
				t.Helper()
				checkErrorShape(t, r)
				want := 400
				if ok {
					want = 200
				}
				switch {
				case r.Status != want:
					t.Fatalf("%s %.200q: %d %.300s, want %d", name, q, r.Status, r.Body, want)
				case !echoes && bytes.Contains(bytes.ToLower(r.Body), []byte(fuzzCanary)):
					t.Fatalf("%s %q shows another user's document: %s", name, q, r.Body)
				case none && hits > 0:
					t.Fatalf("%s %q has no searchable word but found %d", name, q, hits)
				}
				for i, s := range snippets {
					if titles[i] == "Secret" {
						t.Fatalf("%s %q found another user's document", name, q)
					}
					if inner := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s); strings.ContainsAny(inner, "<>") {
						t.Fatalf("%s %q: snippet %q is not HTML-safe", name, q, s)
					}
				}
			}

			r := h.raw("GET", "/api/core/search?q="+urlQuery(q)+"&limit=100", nil, fx.u.auth())
			var cs []api.SearchResult
			if r.Status == 200 {
				r.decode(t, &cs)
			}
			check("content search", r, urlOK, len(cs), pluck(cs, func(s api.SearchResult) string { return s.Title }),
				pluck(cs, func(s api.SearchResult) string { return string(s.Snippet) }))

			r = h.raw("POST", "/api/knowledge/search", body, fx.u.auth())
			var ks []api.KnowledgeSearchHit
			if r.Status == 200 {
				r.decode(t, &ks)
			}
			check("knowledge search", r, jsonOK, len(ks), hitTitles(ks),
				pluck(ks, func(s api.KnowledgeSearchHit) string { return string(s.Snippet) }))

			r = h.raw("POST", "/api/rag/query", body, fx.u.auth())
			var rag api.RAGQueryResponse
			if r.Status == 200 {
				r.decode(t, &rag)
			}
			check("RAG", r, jsonOK, 0, nil, nil)
			for _, s := range rag.Sources {
				if s.Title == "Secret" {
					t.Fatalf("RAG %q cites another user's document", q)
				}
			}
		})
	})
}

// FuzzTranscript: a transcript turn of any role, text and timestamp text (and any session id),
// as JSON strings. A well-formed turn inside the window is stored and read back exactly; any
// other is a 4xx.
func FuzzTranscript(f *testing.F) {
	fxs := fuzzFixtures(f)
	start, end := fuzzNow.Add(-time.Hour), fuzzNow.Add(-time.Hour+5*time.Minute)
	in := start.Add(time.Minute).Format(time.RFC3339)
	for _, s := range [][4]string{
		{"user", "It was great, I went hiking.", in, ""},
		{"ai", "Hi Ada", start.Format(time.RFC3339Nano), ""},
		{"ai", "end", end.Format(time.RFC3339Nano), ""},
		{"ai", "after", end.Add(time.Nanosecond).Format(time.RFC3339Nano), ""},
		{"user", "nanos", start.Add(1500 * time.Nanosecond).Format(time.RFC3339Nano), ""},
		{"user", "offset", start.Add(time.Minute).In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339), ""},
		{"USER", "x", in, ""}, {"system", "x", in, ""}, {"", "x", in, ""}, {"user\x00", "x", in, ""},
		{"user", "", in, ""}, {"user", " ", in, ""}, {"user", "a\x00b", in, ""}, {"user", "\xff\xfe", in, ""},
		{"user", "\u202e\u200b\uFEFF", in, ""}, {"user", "'); DROP TABLE live_transcripts; --", in, ""},
		{"user", strings.Repeat("é", 20000), in, ""}, {"user", strings.Repeat("é", 20001), in, ""},
		{"user", "x", "2026-11-27T11:01:00", ""}, {"user", "x", "2026-11-27 11:01:00Z", ""},
		{"user", "x", "2026-11-27T11:01:60Z", ""}, {"user", "x", "2026-11-27T24:00:00Z", ""},
		{"user", "x", "2026-02-30T11:01:00Z", ""}, {"user", "x", "2026-11-27T11:01:00+25:00", ""},
		{"user", "x", "0000-01-01T00:00:00Z", ""}, {"user", "x", "9999-12-31T23:59:59.999999999Z", ""},
		{"user", "x", "2026-11-27t11:01:00z", ""}, {"user", "x", "+2026-11-27T11:01:00Z", ""}, {"user", "x", "", ""},
		{"user", "x", in, "00000000-0000-0000-0000-000000000000"}, {"user", "x", in, "not-a-uuid"},
		{"user", "x", in, "5F3B0A4C-7D8E-4F90-8A1B-C2D3E4F5A6B7"}, {"user", "x", in, "{5f3b0a4c-7d8e-4f90-8a1b-c2d3e4f5a6b7}"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, role, text, stamp, session string) {
		body := `{"session_started_at":"` + start.Format(time.RFC3339) + `","session_ended_at":"` + end.Format(time.RFC3339) + `",`
		if session != "" {
			body += `"session_id":` + jsonString(session) + `,`
		}
		body += `"transcripts":[{"role":` + jsonString(role) + `,"text":` + jsonString(text) + `,"timestamp":` + jsonString(stamp) + `}]}`
		jt := decodedJSON(text)
		ts, terr := time.Parse(time.RFC3339Nano, stamp)
		good := session == "" && (role == "user" || role == "ai") && !strings.ContainsRune(jt, 0) &&
			jt != "" && utf8.RuneCountInString(jt) <= 20000 &&
			terr == nil && ts.Format(time.RFC3339Nano) == stamp && !ts.Before(start) && !ts.After(end)
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.raw("POST", "/api/live/transcripts", body, fx.u.auth())
			checkErrorShape(t, r)
			switch {
			case r.Status == 201:
				var saved, got api.LiveTranscriptResponse
				r.decode(t, &saved)
				fx.h.raw("GET", "/api/live/transcripts/"+saved.Id.String(), nil, fx.u.auth()).expect(t, 200).decode(t, &got)
				if len(got.Transcripts) != 1 {
					t.Fatalf("%s: read back %d turns", body, len(got.Transcripts))
				}
				g := got.Transcripts[0]
				if string(g.Role) != role || g.Text != jt || !g.Timestamp.Equal(ts.Truncate(time.Microsecond)) {
					t.Fatalf("%s: read back %q %q %s", body, g.Role, g.Text, g.Timestamp.Format(time.RFC3339Nano))
				}
			case r.Status < 400 || r.Status >= 500:
				t.Fatalf("%s: %d %s", body, r.Status, r.Body)
			case good:
				t.Fatalf("%s was refused: %d %s", body, r.Status, r.Body)
			}
		})
	})
}

// uploadCType is the content type of FuzzUploadBody's seeds.
const uploadCType = "multipart/form-data; boundary=fuzzboundary"

// multipartBody is a multipart body of parts (a part's filename and type are left out when
// empty), its header values written as given, quotes and backslashes escaped.
func multipartBody(boundary string, parts []part) []byte {
	var b bytes.Buffer
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"", boundary, esc.Replace(p.name))
		if p.filename != "" {
			fmt.Fprintf(&b, "; filename=\"%s\"", esc.Replace(p.filename))
		}
		b.WriteString("\r\n")
		if p.ctype != "" {
			b.WriteString("Content-Type: " + p.ctype + "\r\n")
		}
		b.WriteString("\r\n")
		b.Write(p.data)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// uploaded checks a created document and deletes it again (fuzzing would fill the database).
func (fx *fuzzFixture) uploaded(t *testing.T, r resp, content string) {
	t.Helper()
	var d api.KnowledgeDocumentResponse
	r.decode(t, &d)
	if !plainText(content) || d.ChunkCount < 1 || d.SizeBytes > len(content) || d.SizeBytes < 1 {
		t.Fatalf("stored %d bytes in %d chunks from %q", d.SizeBytes, d.ChunkCount, content)
	}
	fx.h.raw("DELETE", "/api/knowledge/documents/"+d.Id.String(), nil, fx.u.auth()).expect(t, 204)
}

// FuzzDocumentUpload: a document upload with any file name, part type, text and title. A text
// file of a known name, type and valid text is stored; anything else is a 4xx.
func FuzzDocumentUpload(f *testing.F) {
	fxs := fuzzFixtures(f)
	for _, s := range [][4]string{
		{"notes.md", "text/markdown", "# Week one\n\nWe practised the present perfect.", ""},
		{"notes.txt", "", "plain text", "My notes"},
		{"Notes.MARKDOWN", "application/octet-stream", "\uFEFF# Title\r\n\r\nBody\r\n", ""},
		{"notes.md", "text/plain; charset=utf-8", "x", ""},
		{"notes.md", "text/html", "<script>alert(1)</script>", ""},
		{"notes.pdf", "application/pdf", "%PDF-1.4", ""},
		{"notes", "", "no extension", ""}, {".md", "", "only an extension", ""}, {"", "", "no name", ""},
		{"../../etc/passwd.md", "", "path", ""}, {`C:\tmp\x.md`, "", "windows path", ""}, {"a\"b.md", "", "quote", ""},
		{"a\r\nContent-Type: text/html\r\n.md", "", "header injection", ""}, {"\u202egpj.md", "", "bidi", ""},
		{"n.md", "", "", ""}, {"n.md", "", " \n\t\r\n ", ""}, {"n.md", "", "\uFEFF", ""}, {"n.md", "", "a\x00b", ""},
		{"n.md", "", "\xff\xfe bad", ""}, {"n.md", "", "\xe2\x80", ""}, {"n.md", "", "```\nunclosed fence", ""},
		{"n.md", "", strings.Repeat("#", 7) + " " + strings.Repeat("word ", 400), ""},
		{"n.md", "", strings.Repeat("x", 3000), ""}, {"n.md", "", strings.Repeat("日本語。", 600), ""},
		{"n.md", "", "x", " "}, {"n.md", "", "x", "\u202e"}, {"n.md", "", "x", "a\x00"}, {"n.md", "", "x", "\xff"},
		{"n.md", "", "x", strings.Repeat("é", 200)}, {"n.md", "", "x", strings.Repeat("é", 201)},
		{"n.md", "text/markdown; boundary=\"", "x", ""}, {"n.md", ";;;", "x", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, filename, ctype, content, title string) {
		if len(content) > 2*maxDocBytes { // the body limit's domain: FuzzUploadBody and TestDocumentUpload
			return
		}
		ctype, ok := headerValue(ctype)
		if !ok {
			ctype = ""
		}
		parts := []part{{name: "file", filename: filename, ctype: ctype, data: []byte(content)}}
		if title != "" {
			parts = append(parts, part{name: "title", data: []byte(title)})
		}
		body := multipartBody("fuzzboundary", parts)
		norm := strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(content, "\uFEFF"), "\r\n", "\n"), "\r", "\n")
		good := simpleFileName(filename) && (ctype == "" || ctype == "text/plain" || ctype == "text/markdown" || ctype == "application/octet-stream") &&
			plainText(content) && len(norm) <= maxDocBytes && strings.TrimSpace(norm) != "" && (title == "" || simpleTitle(title))
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.send("POST", "/api/knowledge/documents", uploadCType, body, fx.u.auth())
			checkErrorShape(t, r)
			switch {
			case r.Status == 201:
				fx.uploaded(t, r, content)
			case r.Status < 400 || r.Status >= 500:
				t.Fatalf("%q: %d %s", filename, r.Status, r.Body)
			case good:
				t.Fatalf("upload of %q (%s, %d bytes, title %q) was refused: %d %s", filename, ctype, len(content), title, r.Status, r.Body)
			}
		})
	})
}

// maxDocBytes is the largest document (server.maxDocumentBytes).
const maxDocBytes = 1_000_000

// simpleFileName: letters, digits, spaces, '_' and '-', then .txt, .md or .markdown.
func simpleFileName(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 1 || len(name) > 100 {
		return false
	}
	switch strings.ToLower(name[i:]) {
	case ".txt", ".md", ".markdown":
	default:
		return false
	}
	letter := false
	for _, c := range name[:i] {
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			letter = true
		case c == ' ' || c == '_' || c == '-':
		default:
			return false
		}
	}
	return letter
}

// simpleTitle: 1 to 200 letters, digits and spaces, not all spaces.
func simpleTitle(s string) bool {
	if utf8.RuneCountInString(s) > 200 || strings.TrimSpace(s) == "" {
		return false
	}
	for _, c := range s {
		if !(c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == 'é') {
			return false
		}
	}
	return true
}

// FuzzUploadBody: any bytes under any content type as a document upload: malformed, cut short
// or odd multipart is a 4xx, never a 5xx.
func FuzzUploadBody(f *testing.F) {
	fxs := fuzzFixtures(f)
	good := multipartBody("fuzzboundary", []part{{name: "file", filename: "n.md", ctype: "text/markdown", data: []byte("# N\n\nText.")}})
	for _, s := range []struct {
		ctype string
		body  []byte
	}{
		{uploadCType, good},
		{uploadCType, good[:len(good)/2]},
		{uploadCType, good[:len(good)-4]},
		{uploadCType, bytes.ReplaceAll(good, []byte("\r\n"), []byte("\n"))},
		{uploadCType, []byte("--fuzzboundary--")},
		{uploadCType, []byte("")},
		{uploadCType, []byte("--fuzzboundary\r\n\r\nno disposition\r\n--fuzzboundary--\r\n")},
		{uploadCType, multipartBody("fuzzboundary", []part{{name: "file", filename: "a.md", data: []byte("a")}, {name: "file", filename: "b.md", data: []byte("b")}})},
		{uploadCType, multipartBody("fuzzboundary", []part{{name: "title", data: []byte("T")}, {name: "organization_id", data: []byte("x")}, {name: "file", filename: "a.md", data: []byte("a")}})},
		{uploadCType, multipartBody("fuzzboundary", []part{{name: "other", data: []byte("x")}})},
		{uploadCType, multipartBody("fuzzboundary", []part{{name: "file", filename: "a.md", ctype: "multipart/mixed; boundary=inner", data: []byte("--inner\r\n\r\nx\r\n--inner--")}})},
		{uploadCType, append([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\n"), bytes.Repeat([]byte("X-A: b\r\n"), 20000)...)},
		{uploadCType, multipartBody("fuzzboundary", []part{{name: "file", filename: "big.md", data: bytes.Repeat([]byte("word "), maxDocBytes/5+1)}})},
		{"multipart/form-data", good},
		{"multipart/form-data; boundary=", good},
		{"multipart/form-data; boundary=\"fuzzboundary\"", good},
		{"Multipart/Form-Data; BOUNDARY=fuzzboundary", good},
		{"multipart/form-data; boundary=other", good},
		{"multipart/mixed; boundary=fuzzboundary", good},
		{"application/json", []byte(`{"title":"T","content":"x"}`)},
		{"application/json", []byte(`{"title":"T","content":"\u0000"}`)},
		{"text/plain", []byte("x")},
		{"", good},
		{";", good},
	} {
		f.Add(s.ctype, s.body)
	}
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		ctype, ok := headerValue(ctype)
		if !ok {
			return
		}
		each(t, fxs, func(fx *fuzzFixture) {
			r := fx.h.send("POST", "/api/knowledge/documents", ctype, body, fx.u.auth())
			checkErrorShape(t, r)
			if r.Status == 201 {
				var d api.KnowledgeDocumentResponse
				r.decode(t, &d)
				fx.h.raw("DELETE", "/api/knowledge/documents/"+d.Id.String(), nil, fx.u.auth()).expect(t, 204)
			} else if r.Status < 400 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	})
}
