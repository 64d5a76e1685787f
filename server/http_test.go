package server_test

import (
	"strings"
	"testing"

	"github.com/xentree/xentree-api/server"
)

// TestHTTPBasics: request ids, hardening headers, CORS, body limit and the error shape of
// failures that never reach a handler.
func TestHTTPBasics(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.raw("GET", "/api/auth/me", nil, header{"X-Request-ID", "client-id-123"}).expect(t, 401)
		if r.Header.Get("X-Request-ID") != "client-id-123" {
			t.Fatalf("sane request id not echoed: %q", r.Header.Get("X-Request-ID"))
		}
		r = h.raw("GET", "/api/auth/me", nil, header{"X-Request-ID", "bad id\twith spaces"}).expect(t, 401)
		if id := r.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
			t.Fatalf("insane request id echoed: %q", id)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("missing hardening headers: %v", r.Header)
		}
		// Preflight from an allowed origin.
		pre := h.raw("OPTIONS", "/api/auth/me", nil, header{"Origin", "https://app.example.com"}, header{"Access-Control-Request-Method", "GET"})
		if pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || pre.Status >= 300 {
			t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
		}
		// Bodies over the limit are refused before validation reads them.
		big := `{"username":"` + strings.Repeat("a", 3<<10) + `"}`
		if h.raw("POST", "/api/auth/register", big).expect(t, 413).errorBody(t).Error != "payload_too_large" {
			t.Fatal("413 code")
		}
		// Malformed JSON and wrong content types are 400s with the Error body.
		h.raw("POST", "/api/auth/register", `{"username":`).expect(t, 400).errorBody(t)
		h.raw("POST", "/api/auth/refresh", "refresh_token=x", header{"Content-Type", "text/plain"}).expect(t, 400).errorBody(t)
		// Bad path parameters are validation errors, not 404s or 500s.
		u := h.newUser("http")
		d := h.raw("GET", "/api/organizations/not-a-uuid", nil, u.auth()).expect(t, 400).errorBody(t)
		if d.Error != "validation_error" || d.Errors == nil || (*d.Errors)[0].Field != "org_id" || (*d.Errors)[0].Location != "path" {
			t.Fatalf("path error: %+v", d)
		}
		q := h.raw("GET", "/api/organizations?limit=500", nil, u.auth()).expect(t, 400).errorBody(t)
		if (*q.Errors)[0].Field != "limit" || (*q.Errors)[0].Location != "query" {
			t.Fatalf("query error: %+v", q)
		}
	}, func(c *server.Config) {
		c.CORSOrigins = []string{"https://app.example.com"}
		c.BodyLimit = "2K"
	})
}

// TestNULRejected: NUL characters are 400s on both databases (PostgreSQL text cannot hold them).
func TestNULRejected(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("nul")
		for name, send := range map[string]func() resp{
			"json escape": func() resp {
				return h.raw("POST", "/api/organizations", `{"name":"a\u0000b"}`, u.auth())
			},
			"json key": func() resp {
				return h.raw("PATCH", "/api/auth/me", `{"full_name":"x","a\u0000":1}`, u.auth())
			},
			"form": func() resp {
				return h.raw("POST", "/api/auth/login", "username=a%00b&password=x", header{"Content-Type", "application/x-www-form-urlencoded"})
			},
			"query": func() resp { return h.raw("GET", "/api/core/search?q=a%00b", nil, u.auth()) },
			"form utf-8": func() resp {
				return h.raw("POST", "/api/auth/login", "username=a%ffb&password=x", header{"Content-Type", "application/x-www-form-urlencoded"})
			},
			"query utf-8": func() resp { return h.raw("GET", "/api/core/search?q=a%ffb", nil, u.auth()) },
		} {
			t.Run(name, func(t *testing.T) {
				d := send().expect(t, 400).errorBody(t)
				if d.Error != "validation_error" || d.Errors == nil || !strings.Contains((*d.Errors)[0].Message, "NUL") {
					t.Fatalf("not refused by the text check: %+v", d)
				}
			})
		}
		// An escaped backslash followed by u0000 is ordinary text.
		h.raw("POST", "/api/organizations", `{"name":"a\\u0000b"}`, u.auth()).expect(t, 201)
	})
}

// TestDisplayNames: names are trimmed and NFC-normalized; blank ones, control/format
// characters, fillers that render as nothing (U+3164, U+2800) and private-use characters are 422.
func TestDisplayNames(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("names")
		org := h.createOrg(u, "  Trimmed Org  ")
		if org.Name != "Trimmed Org" {
			t.Fatalf("name not trimmed: %q", org.Name)
		}
		if o := h.createOrg(u, "Zoe\u0308 Studio"); o.Name != "Zo\u00eb Studio" {
			t.Fatalf("name not NFC: %q", o.Name)
		}
		id := org.Id.String()
		for _, bad := range []string{" ", "\t\n", "\u200b", "\u202eevil", "a\u0007b", "\u3164", "Acme\u3164", "\u2800", "\uffa0", "\ue000", "\u0301x"} {
			for _, c := range []struct{ method, path string }{
				{"POST", "/api/organizations"},
				{"PATCH", "/api/organizations/" + id},
				{"POST", "/api/organizations/" + id + "/teams"},
			} {
				r := h.raw(c.method, c.path, map[string]any{"name": bad}, u.auth()).expect(t, 422)
				if r.errorBody(t).Error != "invalid_name" {
					t.Fatalf("%s %s %q: %s", c.method, c.path, bad, r.Body)
				}
			}
			h.raw("POST", "/api/api-keys", map[string]any{"name": bad, "organization_id": id, "scopes": []string{"xel:read"}}, u.auth()).expect(t, 422)
			h.raw("PATCH", "/api/auth/me", map[string]any{"full_name": bad}, u.auth()).expect(t, 422)
		}
		if n := h.countRows("teams", "organization_id = ?", id); n != 0 {
			t.Fatalf("%d teams written by refused requests", n)
		}
	})
}
