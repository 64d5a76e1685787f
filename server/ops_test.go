package server_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	xentree "github.com/xentree/xentree-api"
	"github.com/xentree/xentree-api/server"
)

// checkHead: a HEAD answer has no body; where the path has a GET, its status is one the GET
// documents.
func (h *harness) checkHead(req *http.Request, res *http.Response, body []byte) {
	h.t.Helper()
	if len(body) != 0 {
		h.t.Errorf("HEAD %s answered a body: %q", req.URL.Path, body)
	}
	get := req.Clone(req.Context())
	get.Method = http.MethodGet
	_, router := loadTestSpec(h.t)
	if route, _, err := router.FindRoute(get); err == nil && res.StatusCode < 500 && route.Operation.Responses.Status(res.StatusCode) == nil {
		h.t.Errorf("HEAD %s → %d: status not documented for %s", req.URL.Path, res.StatusCode, route.Operation.OperationID)
	}
}

// TestSpecJSONKeepsOrder: /openapi.json is the YAML file as JSON, with every mapping in the
// file's order (the explorer lists tags, operations and fields as the spec does).
func TestSpecJSONKeepsOrder(t *testing.T) {
	ordered, err := server.YAMLToJSON(xentree.OpenAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := yaml.YAMLToJSON(xentree.OpenAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(ordered, &a) != nil || json.Unmarshal(plain, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatal("the ordered conversion differs in content from sigs.k8s.io/yaml's")
	}
	// Paths and schemas appear in the JSON in the YAML's order.
	yamlKeys := func(re string) []string {
		var out []string
		for _, m := range regexp.MustCompile(re).FindAllSubmatch(xentree.OpenAPISpec, -1) {
			out = append(out, string(m[1]))
		}
		return out
	}
	paths := yamlKeys(`(?m)^  (/[^:]+):$`)
	jsonPaths := regexp.MustCompile(`"(/api/[^"]+)":\{`).FindAllSubmatch(ordered, -1)
	if len(paths) < 40 || len(jsonPaths) != len(paths) {
		t.Fatalf("%d paths in YAML, %d in JSON", len(paths), len(jsonPaths))
	}
	for i, m := range jsonPaths {
		if string(m[1]) != paths[i] {
			t.Fatalf("path %d is %s in JSON, %s in YAML", i, m[1], paths[i])
		}
	}
	for _, c := range []struct{ yaml, json string }{
		{"name: a\nlist: [1, 2.5, true, null, x]\nwhen: 2026-01-02T03:04:05Z\nz: {b: 1, a: 2}\n", `{"name":"a","list":[1,2.5,true,null,"x"],"when":"2026-01-02T03:04:05Z","z":{"b":1,"a":2}}`},
		{"a: &x {q: 1}\nb: *x\n", `{"a":{"q":1},"b":{"q":1}}`},
		{"'1': yes\n\"on\": 'no'\n", `{"1":"yes","on":"no"}`},
	} {
		got, err := server.YAMLToJSON([]byte(c.yaml))
		if err != nil || string(got) != c.json {
			t.Errorf("%q → %s (%v), want %s", c.yaml, got, err, c.json)
		}
	}
	eachDB(t, func(t *testing.T, h *harness) {
		r := h.raw("GET", "/openapi.json", nil).expect(t, 200)
		if string(r.Body) != string(ordered) || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("/openapi.json is not the ordered conversion (%s)", r.Header.Get("Content-Type"))
		}
	})
}

// TestHeadAnswersLikeGet: HEAD has GET's status and headers (with its Content-Length) and no
// body, for the API (authentication included), the spec, the explorer and the health checks;
// a path without GET stays 405.
func TestHeadAnswersLikeGet(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("head")
		for _, c := range []struct {
			path   string
			auth   []header
			status int
		}{
			{"/api/auth/me", []header{u.auth()}, 200},
			{"/api/auth/me", nil, 401},
			{"/api/organizations?limit=2", []header{u.auth()}, 200},
			{"/api/organizations?limit=0", []header{u.auth()}, 400},
			{"/api/live/quota", []header{u.auth()}, 200},
			{"/openapi.yaml", nil, 200},
			{"/openapi.json", nil, 200},
			{"/healthz", nil, 200},
			{"/docs/", nil, 200},
		} {
			get := h.raw("GET", c.path, nil, c.auth...).expect(t, c.status)
			head := h.raw("HEAD", c.path, nil, c.auth...).expect(t, c.status)
			if len(head.Body) != 0 {
				t.Fatalf("HEAD %s has a body", c.path)
			}
			if n, _ := strconv.Atoi(head.Header.Get("Content-Length")); n != len(get.Body) {
				t.Fatalf("HEAD %s: Content-Length %q, GET sent %d bytes", c.path, head.Header.Get("Content-Length"), len(get.Body))
			}
			for _, k := range []string{"Content-Type", "X-Content-Type-Options"} {
				if head.Header.Get(k) != get.Header.Get(k) {
					t.Fatalf("HEAD %s: %s %q, GET %q", c.path, k, head.Header.Get(k), get.Header.Get(k))
				}
			}
			if head.Header.Get("X-Request-ID") == "" {
				t.Fatalf("HEAD %s: no request id", c.path)
			}
		}
		if r := h.raw("HEAD", "/api/auth/login", nil); r.Status != 405 || len(r.Body) != 0 {
			t.Fatalf("HEAD on a POST-only path: %d %q", r.Status, r.Body)
		}
	})
}

// TestAccessTTLConfigurable: Config.AccessTTL sets expires_in and the token's real lifetime.
func TestAccessTTLConfigurable(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(h.clock.Now())
		u := h.newUser("ttl")
		tok := h.login(u.Username, u.Password)
		if tok.ExpiresIn != 300 {
			t.Fatalf("expires_in %d, want 300", tok.ExpiresIn)
		}
		h.clock.Advance(4 * time.Minute)
		h.raw("GET", "/api/auth/me", nil, bearer(tok.AccessToken)).expect(t, 200)
		h.clock.Advance(time.Minute + 6*time.Second) // past the 5 s leeway
		h.raw("GET", "/api/auth/me", nil, bearer(tok.AccessToken)).expect(t, 401)
	}, func(c *server.Config) { c.AccessTTL = 5 * time.Minute })
	for _, c := range []server.Config{{AccessTTL: 30 * time.Second}, {AccessTTL: 25 * time.Hour}, {AccessTTL: time.Hour, SessionTTL: 30 * time.Minute}, {SessionTTL: 400 * 24 * time.Hour}} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// observed records the error codes each operation answered during the run, to prove that the
// examples of its error responses are ones it really gives.
var observed = &codeSet{seen: map[string]bool{}}

type codeSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *codeSet) add(op string, status int, body []byte) {
	var e struct {
		Detail struct{ Error string } `json:"detail"`
	}
	if status < 400 || json.Unmarshal(body, &e) != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[fmt.Sprintf("%s %d %s", op, status, e.Detail.Error)] = true
}

// unprovokable are documented answers no test can cause on purpose, with the reason.
var unprovokable = map[string]string{
	"createApiKey 409 conflict": "the organization is deleted between the check and the insert",
}

// checkErrorExamples runs after the whole suite (not with -run): every example of an error
// response written for its operation (not a shared $ref) names a code the suite saw that
// operation answer with that status. It returns the exit code.
func checkErrorExamples() int {
	if f := flag.Lookup("test.run"); f == nil || f.Value.String() != "" || testing.Short() {
		return 0
	}
	spec, _ := loadTestSpec(nil)
	var missing []string
	for _, op := range specOps(spec) {
		for status, r := range op.Op.Responses.Map() {
			if r.Ref != "" || status[0] != '4' {
				continue
			}
			mt := r.Value.Content.Get("application/json")
			examples := []any{mt.Example}
			for _, ex := range mt.Examples {
				examples = append(examples, ex.Value.Value)
			}
			for _, ex := range examples {
				m, ok := ex.(map[string]any)
				if !ok {
					continue
				}
				code, _ := m["detail"].(map[string]any)["error"].(string)
				if key := op.ID + " " + status + " " + code; !observed.seen[key] && unprovokable[key] == "" {
					missing = append(missing, key)
				}
			}
		}
	}
	if len(missing) == 0 {
		return 0
	}
	sort.Strings(missing)
	fmt.Fprintf(os.Stderr, "error examples in openapi.yaml that no test saw their operation answer:\n  %s\n", strings.Join(missing, "\n  "))
	return 1
}

// TestParameterErrorExamples sends what each operation's own 400 example describes for a path
// or query parameter (an id that is no UUID, limit=0) and gets exactly that field error.
func TestParameterErrorExamples(t *testing.T) {
	spec, _ := loadTestSpec(t)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("params")
		org := h.createOrg(u, "Params Org").Id.String()
		n := 0
		for _, op := range specOps(spec) {
			r := op.Op.Responses.Status(400)
			if r == nil || r.Ref != "" {
				continue
			}
			var ex struct {
				Detail struct {
					Errors []struct{ Location, Field string }
				}
			}
			b, _ := json.Marshal(r.Value.Content.Get("application/json").Example)
			if json.Unmarshal(b, &ex) != nil || len(ex.Detail.Errors) != 1 || ex.Detail.Errors[0].Location == "body" {
				continue
			}
			fe := ex.Detail.Errors[0]
			path := op.samplePath(org)
			if fe.Location == "path" {
				path = strings.Replace(op.Path, "{"+fe.Field+"}", "not-a-uuid", 1)
				path = specOp{Path: path}.samplePath(org)
			} else {
				path += "?" + fe.Field + "=0"
			}
			got := h.raw(op.Method, path, exampleBody(t, op), u.auth()).expect(t, 400).errorBody(t)
			if got.Error != "validation_error" || got.Errors == nil || (*got.Errors)[0].Field != fe.Field || string((*got.Errors)[0].Location) != fe.Location {
				t.Errorf("%s %s: %+v, want the example's %s %s", op.ID, path, got, fe.Location, fe.Field)
			}
			n++
		}
		if n < 9 {
			t.Fatalf("only %d operations have a parameter example", n)
		}
	})
}
