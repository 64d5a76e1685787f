package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// allScopes are every scope the spec defines.
var allScopes = []string{
	"conversations:read", "conversations:write", "rag:read", "rag:write", "quiz:read", "quiz:write",
	"live:read", "live:write", "organizations:read", "organizations:write", "integrations:read",
	"integrations:write", "xel:read", "xel:write", "api:read", "api:write", "api:admin",
}

// newKey creates an API key through the API and returns its secret and response.
func (h *harness) newKey(u *user, orgID string, scopes []string, extra ...map[string]any) (string, api.APIKeyResponse) {
	h.t.Helper()
	body := map[string]any{"name": "key", "organization_id": orgID, "scopes": scopes}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	var k api.APIKeyResponse
	h.raw("POST", "/api/api-keys", body, u.auth()).expect(h.t, 201).decode(h.t, &k)
	if k.Key == nil {
		h.t.Fatal("create response without key")
	}
	return *k.Key, k
}

func TestAPIKeyLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("keys")
		org := h.createOrg(u, "Key Org").Id.String()
		secret, k := h.newKey(u, org, []string{"organizations:read"})
		if len(secret) != 91 || !strings.HasPrefix(secret, "xntr-") || !strings.HasPrefix(secret, k.Prefix) || len(k.Prefix) >= len(secret) {
			t.Fatalf("key %q prefix %q", secret, k.Prefix)
		}
		// The secret is in the create response only: not in the list, the logs or the database.
		list := h.raw("GET", "/api/api-keys", nil, u.auth()).expect(t, 200)
		if strings.Contains(string(list.Body), secret) || strings.Contains(string(list.Body), secret[12:]) {
			t.Fatal("list shows the secret")
		}
		var keys []api.APIKeyResponse
		list.decode(t, &keys)
		if len(keys) != 1 || keys[0].Key != nil || keys[0].Id != k.Id {
			t.Fatalf("list %s", list.Body)
		}
		h.raw("GET", "/api/auth/me", nil, apiKey(secret)).expect(t, 401) // bearer-only route
		if strings.Contains(h.logs.String(), secret[12:]) {
			t.Fatal("the secret reached the logs")
		}
		var rows []map[string]any
		h.store.DB(context.Background()).Raw("SELECT * FROM api_keys").Scan(&rows)
		if dump := fmt.Sprint(rows); strings.Contains(dump, secret[12:]) || len(rows) != 1 {
			t.Fatalf("database holds the secret: %s", dump)
		}
		// Using the key records last_used_at.
		h.raw("GET", "/api/organizations/"+org, nil, apiKey(secret))
		got, _ := h.store.APIKeyByID(context.Background(), k.Id.String())
		if got.LastUsedAt == nil {
			t.Fatal("last_used_at not written")
		}
		// Within the minute further uses do not write again; after it they do.
		first := *got.LastUsedAt
		h.raw("GET", "/api/organizations", nil, apiKey(secret)).expect(t, 200)
		if again, _ := h.store.APIKeyByID(context.Background(), k.Id.String()); !again.LastUsedAt.Equal(first) {
			t.Fatalf("last_used_at rewritten within a minute: %v → %v", first, again.LastUsedAt)
		}
		h.store.DB(context.Background()).Model(&store.APIKey{}).Where("id = ?", k.Id.String()).Update("last_used_at", first.Add(-2*time.Minute))
		h.raw("GET", "/api/organizations", nil, apiKey(secret)).expect(t, 200)
		if again, _ := h.store.APIKeyByID(context.Background(), k.Id.String()); !again.LastUsedAt.After(first) {
			t.Fatalf("last_used_at not refreshed after a minute: %v", again.LastUsedAt)
		}
		// Delete revokes at once.
		h.raw("DELETE", "/api/api-keys/"+k.Id.String(), nil, u.auth()).expect(t, 204)
		h.raw("GET", "/api/organizations", nil, apiKey(secret)).expect(t, 401)
		h.raw("DELETE", "/api/api-keys/"+k.Id.String(), nil, u.auth()).expect(t, 404)
	})
}

func TestAPIKeyValidation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("kval")
		outsider := h.newUser("kout")
		org := h.createOrg(u, "Val Org").Id.String()
		cases := []struct {
			name string
			who  *user
			body map[string]any
			want int
			code string
		}{
			{"org the caller is not in", outsider, map[string]any{"name": "k", "organization_id": org, "scopes": []string{"xel:read"}}, 404, "not_found"},
			{"unknown org", u, map[string]any{"name": "k", "organization_id": store.NewID(), "scopes": []string{"xel:read"}}, 404, "not_found"},
			{"unknown scope", u, map[string]any{"name": "k", "organization_id": org, "scopes": []string{"root"}}, 400, "validation_error"},
			{"no scopes", u, map[string]any{"name": "k", "organization_id": org, "scopes": []string{}}, 400, "validation_error"},
			{"duplicate scopes", u, map[string]any{"name": "k", "organization_id": org, "scopes": []string{"xel:read", "xel:read"}}, 400, "validation_error"},
			{"past expiry", u, map[string]any{"name": "k", "organization_id": org, "scopes": []string{"xel:read"}, "expires_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, 422, "invalid_expires_at"},
			{"bad CIDR", u, map[string]any{"name": "k", "organization_id": org, "scopes": []string{"xel:read"}, "allowed_ips": []string{"10.0.0.0/99"}}, 422, "invalid_allowed_ips"},
			{"client-chosen id", u, map[string]any{"id": store.NewID(), "name": "k", "organization_id": org, "scopes": []string{"xel:read"}}, 400, "validation_error"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := h.raw("POST", "/api/api-keys", c.body, c.who.auth()).expect(t, c.want)
				if r.errorBody(t).Error != c.code {
					t.Fatalf("code %s", r.Body)
				}
			})
		}
		var n int64
		h.store.DB(context.Background()).Model(&store.APIKey{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d keys written by failed requests", n)
		}
	})
}

func TestAPIKeyRestrictions(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("krest")
		org := h.createOrg(u, "Rest Org").Id.String()
		ipKey, _ := h.newKey(u, org, []string{"organizations:read"}, map[string]any{"allowed_ips": []string{"198.51.100.0/24", "2001:db8::1"}})
		h.raw("GET", "/api/organizations/"+org, nil, apiKey(ipKey)).expect(t, 401)
		h.remoteAddr = "198.51.100.20:1234"
		h.raw("GET", "/api/organizations", nil, apiKey(ipKey)).expect(t, 200)
		h.remoteAddr = "[2001:db8::1]:1234"
		h.raw("GET", "/api/organizations", nil, apiKey(ipKey)).expect(t, 200)

		soon, _ := h.newKey(u, org, []string{"organizations:read"}, map[string]any{"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		h.raw("GET", "/api/organizations", nil, apiKey(soon)).expect(t, 200)
		h.store.DB(context.Background()).Model(&store.APIKey{}).Where("prefix = ?", soon[:12]).Update("expires_at", h.store.Now().Add(-time.Second))
		h.raw("GET", "/api/organizations", nil, apiKey(soon)).expect(t, 401)

		for name, k := range map[string]string{
			"unknown key":  "xntr-" + strings.Repeat("A", 86),
			"wrong length": "xntr-abc",
			"wrong prefix": "abcd-" + strings.Repeat("A", 86),
		} {
			t.Run(name, func(t *testing.T) {
				h.raw("GET", "/api/organizations", nil, apiKey(k)).expect(t, 401).errorBody(t)
			})
		}
	})
}

// TestAPIKeyVisibility: members list only the keys they created; admins list the org's
// keys; nobody else can see or delete a key.
func TestAPIKeyVisibility(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin := h.newUser("kadm")
		member := h.newUser("kmem")
		stranger := h.newUser("kstr")
		org := h.createOrg(admin, "Vis Org").Id.String()
		h.seedMembership(org, member, store.OrgMember, "")
		_, adminKey := h.newKey(admin, org, []string{"xel:read"})
		_, memberKey := h.newKey(member, org, []string{"xel:read"})
		ids := func(u *user) []string {
			var keys []api.APIKeyResponse
			h.raw("GET", "/api/api-keys", nil, u.auth()).expect(t, 200).decode(t, &keys)
			var out []string
			for _, k := range keys {
				out = append(out, k.Id.String())
			}
			slices.Sort(out)
			return out
		}
		both := []string{adminKey.Id.String(), memberKey.Id.String()}
		slices.Sort(both)
		if got := ids(admin); !reflect.DeepEqual(got, both) {
			t.Fatalf("admin sees %v", got)
		}
		if got := ids(member); !reflect.DeepEqual(got, []string{memberKey.Id.String()}) {
			t.Fatalf("member sees %v", got)
		}
		if got := ids(stranger); len(got) != 0 {
			t.Fatalf("stranger sees %v", got)
		}
		h.raw("DELETE", "/api/api-keys/"+adminKey.Id.String(), nil, member.auth()).expect(t, 404)
		h.raw("DELETE", "/api/api-keys/"+memberKey.Id.String(), nil, stranger.auth()).expect(t, 404)
		h.raw("DELETE", "/api/api-keys/"+memberKey.Id.String(), nil, admin.auth()).expect(t, 204)
	})
}

// apiKeyOps lists every operation whose security accepts an API key, with the scope it needs.
func apiKeyOps(t testing.TB) []specOp {
	spec, _ := loadTestSpec(t)
	var out []specOp
	for _, op := range specOps(spec) {
		for _, req := range op.security(spec) {
			if scopes, ok := req["apiKeyAuth"]; ok {
				if len(scopes) != 1 {
					t.Fatalf("%s: API-key security must name exactly one scope", op.ID)
				}
				op.Scope = scopes[0]
				out = append(out, op)
			}
		}
	}
	return out
}

// TestScopeComplement: for every operation that accepts API keys, a key holding every scope
// but the required one gets exactly the documented 403; a key holding only that scope passes
// the scope check.
func TestScopeComplement(t *testing.T) {
	ops := apiKeyOps(t)
	if len(ops) < 40 {
		t.Fatalf("only %d API-key operations found", len(ops))
	}
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("scope")
		org := h.createOrg(u, "Scope Org").Id.String()
		only := map[string]string{}
		except := map[string]string{}
		for _, s := range allScopes {
			only[s], _ = h.newKey(u, org, []string{s})
			rest := slices.DeleteFunc(slices.Clone(allScopes), func(x string) bool { return x == s })
			except[s], _ = h.newKey(u, org, rest)
		}
		for _, op := range ops {
			t.Run(op.ID, func(t *testing.T) {
				// A foreign org id: destructive operations must not delete the keys' own org.
				path := op.samplePath(store.NewID())
				r := h.raw(op.Method, path, nil, apiKey(except[op.Scope])).expect(t, http.StatusForbidden)
				var body map[string]map[string]any
				if err := json.Unmarshal(r.Body, &body); err != nil {
					t.Fatal(err)
				}
				granted := slices.DeleteFunc(slices.Clone(allScopes), func(x string) bool { return x == op.Scope })
				want := map[string]any{
					"error": "INSUFFICIENT_API_KEY_SCOPE", "message": "API key lacks required scope for this endpoint",
					"required_scope": op.Scope, "granted_scopes": toAny(granted),
				}
				if !reflect.DeepEqual(body["detail"], want) || len(body) != 1 {
					t.Fatalf("body %s", r.Body)
				}
				ok := h.raw(op.Method, path, nil, apiKey(only[op.Scope]))
				if ok.Status == 401 || (ok.Status == 403 && ok.errorBody(t).Error == "INSUFFICIENT_API_KEY_SCOPE") {
					t.Fatalf("key with exactly %s refused: %d %s", op.Scope, ok.Status, ok.Body)
				}
			})
		}
	})
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// specOp is one operation of openapi.yaml.
type specOp struct {
	ID     string
	Method string
	Path   string
	Op     *openapi3.Operation
	Scope  string
}

func specOps(spec *openapi3.T) []specOp {
	var out []specOp
	for _, path := range spec.Paths.InMatchingOrder() {
		item := spec.Paths.Value(path)
		for method, op := range item.Operations() {
			out = append(out, specOp{ID: op.OperationID, Method: method, Path: path, Op: op})
		}
	}
	slices.SortFunc(out, func(a, b specOp) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (o specOp) security(spec *openapi3.T) openapi3.SecurityRequirements {
	if o.Op.Security != nil {
		return *o.Op.Security
	}
	return spec.Security
}

// samplePath fills path parameters: org_id with orgID, other ids with fresh UUIDs.
func (o specOp) samplePath(orgID string) string {
	p := strings.ReplaceAll(o.Path, "{org_id}", orgID)
	p = strings.ReplaceAll(p, "{username}", "nobody_here")
	for strings.Contains(p, "{") {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		p = p[:i] + store.NewID() + p[j+1:]
	}
	return p
}
