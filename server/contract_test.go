package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// TestEveryOperationIsRouted walks every operation of openapi.yaml: Echo has a route for it,
// and an authenticated request built from the spec's own examples (body and required query
// parameters) passes routing, authentication and validation and reaches the handler.
func TestEveryOperationIsRouted(t *testing.T) {
	spec, _ := loadTestSpec(t)
	ops := specOps(spec)
	if len(ops) != 64 {
		t.Fatalf("%d operations in openapi.yaml, want 64", len(ops))
	}
	// Codes only the router, the validator or authentication give.
	beforeHandler := map[string]bool{"route_not_found": true, "method_not_allowed": true, "validation_error": true,
		"not_authenticated": true, "invalid_token": true, "invalid_api_key": true, "INSUFFICIENT_API_KEY_SCOPE": true}
	eachDB(t, func(t *testing.T, h *harness) {
		routes := map[string]bool{}
		for _, r := range h.e.Routes() {
			routes[r.Method+" "+r.Path] = true
		}
		param := regexp.MustCompile(`\{([a-z_]+)\}`)
		u := h.newUser("walker")
		h.superAdmin(u)
		org := h.createOrg(u, "Walk Org").Id.String()
		for _, op := range ops {
			t.Run(op.ID, func(t *testing.T) {
				if echoPath := param.ReplaceAllString(op.Path, ":$1"); !routes[op.Method+" "+echoPath] {
					t.Fatalf("no Echo route for %s %s", op.Method, echoPath)
				}
				path, body := op.samplePath(org)+exampleQuery(op), exampleBody(t, op)
				auth := u.auth()
				if op.ID == "logout" { // ends a session: not the walker's own
					auth = bearer(h.login(u.Username, u.Password).AccessToken)
				}
				r := h.raw(op.Method, path, body, auth)
				if r.Status == http.StatusNotImplemented {
					t.Fatalf("%s %s answers 501: every documented operation is built", op.Method, path)
				}
				if r.Status >= 400 && beforeHandler[r.errorBody(t).Error] {
					t.Fatalf("%s %s did not reach its handler: %d %s", op.Method, path, r.Status, r.Body)
				}
			})
		}
		// Undocumented routes and methods get the Error body too.
		if h.raw("GET", "/api/nope", nil, u.auth()).expect(t, 404).errorBody(t).Error != "route_not_found" {
			t.Fatal("unknown route")
		}
		h.raw("PUT", "/api/auth/me", nil, u.auth()).expect(t, 405).errorBody(t)
	})
}

// exampleBody is the operation's request body from its schema's example (url.Values for forms).
func exampleBody(t *testing.T, op specOp) any {
	t.Helper()
	if op.Op.RequestBody == nil {
		return nil
	}
	media, schema := requestSchema(t, op)
	example := schema.Example
	if mt := op.Op.RequestBody.Value.Content.Get(media); mt.Example != nil {
		example = mt.Example
	}
	if example == nil {
		t.Fatalf("%s: request body without an example", op.ID)
	}
	if media == "application/x-www-form-urlencoded" {
		form := url.Values{}
		for k, v := range example.(map[string]any) {
			form.Set(k, fmt.Sprint(v))
		}
		return form
	}
	return example
}

// exampleQuery fills the operation's required query parameters from their examples.
func exampleQuery(op specOp) string {
	q := url.Values{}
	for _, p := range op.Op.Parameters {
		if p.Value.In != "query" || !p.Value.Required {
			continue
		}
		v := fmt.Sprint(p.Value.Example)
		if p.Value.Example == nil {
			v = strings.Repeat("s", int(p.Value.Schema.Value.MinLength)+1)
		}
		q.Set(p.Value.Name, v)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// propertyOps are the implemented operations whose request bodies the property test draws.
var propertyOps = []string{
	"register", "login", "refreshToken", "updateMe", "createApiKey",
	"createOrganization", "updateOrganization", "createTeam", "addMember", "updateMemberRole", "updateMember",
	"startLiveSession", "heartbeatLiveSession", "endLiveSession", "updateLiveNickname", "saveLiveTranscripts",
	"generateChat", "createConversation", "recordLearningActivity", "createKnowledgeDocument",
	"submitXELTask", "evaluateXEL",
}

// TestRequestBodyProperties draws bodies from the spec: valid ones are never answered 400,
// invalid ones always get 400 validation_error with field errors, and nothing is a 5xx.
func TestRequestBodyProperties(t *testing.T) {
	spec, _ := loadTestSpec(t)
	byID := map[string]specOp{}
	for _, op := range specOps(spec) {
		byID[op.ID] = op
	}
	specSetRapidChecks(t, 40)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("prop")
		org := h.createOrg(u, "Prop Org").Id.String()
		for _, id := range propertyOps {
			op := byID[id]
			media, schema := requestSchema(t, op)
			send := func(body any) resp {
				path := op.samplePath(org)
				if media == "application/x-www-form-urlencoded" {
					form := url.Values{}
					if m, ok := body.(map[string]any); ok {
						for k, v := range m {
							form.Set(k, fmt.Sprint(v))
						}
					}
					h.remoteAddr = fmt.Sprintf("203.0.113.%d:1", len(form.Get("username"))+1) // keep clear of the IP throttle
					return h.raw(op.Method, path, form, u.auth())
				}
				return h.raw(op.Method, path, body, u.auth())
			}
			t.Run(id+"/valid", func(t *testing.T) {
				rapid.Check(t, func(rt *rapid.T) {
					body := genValid(schema).Draw(rt, "body")
					r := send(body)
					if r.Status == 400 || r.Status >= 500 {
						rt.Fatalf("valid body answered %d: %s\nbody: %v", r.Status, r.Body, body)
					}
				})
			})
			if media != "application/json" {
				continue
			}
			t.Run(id+"/invalid", func(t *testing.T) {
				rapid.Check(t, func(rt *rapid.T) {
					bad := genInvalid(schema).Draw(rt, "body")
					r := send(bad.Value)
					if r.Status != 400 {
						rt.Fatalf("invalid body (%s) answered %d: %s", bad.Why, r.Status, r.Body)
					}
					if d := r.errorBody(t); d.Error != "validation_error" || d.Errors == nil || len(*d.Errors) == 0 {
						rt.Fatalf("invalid body (%s): no field errors: %s", bad.Why, r.Body)
					}
				})
			})
		}
	})
}

func requestSchema(t *testing.T, op specOp) (string, *openapi3.Schema) {
	t.Helper()
	if op.Op.RequestBody == nil {
		t.Fatalf("%s has no request body", op.ID)
	}
	if mt := op.Op.RequestBody.Value.Content.Get("application/json"); mt != nil { // JSON first: a map's order is random
		return "application/json", mt.Schema.Value
	}
	for media, mt := range op.Op.RequestBody.Value.Content {
		return media, mt.Schema.Value
	}
	t.Fatalf("%s: empty content", op.ID)
	return "", nil
}

// TestSpecShape: the contract's own rules — the 29 schemas the docs name exist, every
// operation has an id, a tag, a summary and security, and every error response it documents
// uses the one Error schema.
func TestSpecShape(t *testing.T) {
	spec, _ := loadTestSpec(t)
	for _, name := range []string{"Error", "TokenResponse", "UserProfile", "ChatRequest", "ChatResponse",
		"ConversationCreateRequest", "ConversationResponse", "KnowledgeSearchRequest", "LiveStartSessionRequest",
		"LiveSessionResponse", "LiveQuotaResponse", "TranscriptTurn", "SaveLiveTranscriptsRequest",
		"OrganizationCreateRequest", "OrganizationResponse", "MemberResponse", "XELModuleSummary",
		"XELTaskSubmissionRequest", "APIKeyCreateRequest", "XPProfileResponse", "APIKeyResponse",
		"PublicXPProfileResponse", "StreakStatusResponse", "WeeklyActivityResponse", "LearningPulseDayEntry",
		"LearningPulseResponse", "QuestItem", "QuestsResponse", "LearningTimeAnalyticsResponse"} {
		if spec.Components.Schemas[name] == nil {
			t.Errorf("schema %s missing", name)
		}
	}
	// Every example in the spec is valid against its own schema (the explorer pre-fills them).
	for name, ref := range spec.Components.Schemas {
		checkExample(t, name, ref.Value)
		for prop, p := range ref.Value.Properties {
			checkExample(t, name+"."+prop, p.Value)
		}
	}
	for _, op := range specOps(spec) {
		if op.Op.RequestBody == nil {
			continue
		}
		for media, mt := range op.Op.RequestBody.Value.Content {
			if mt.Example != nil {
				checkValue(t, op.ID+" "+media+" example", mt.Schema.Value, mt.Example)
			}
		}
	}
	errSchema := spec.Components.Schemas["Error"].Value
	for _, op := range specOps(spec) {
		if op.ID == "" || len(op.Op.Tags) != 1 || op.Op.Summary == "" || op.Op.Description == "" || op.Op.Security == nil {
			t.Errorf("%s %s: needs operationId, one tag, summary, description and explicit security", op.Method, op.Path)
		}
		if op.Op.Responses.Default() == nil {
			t.Errorf("%s: no default (Error) response", op.ID)
		}
		for code, r := range op.Op.Responses.Map() {
			if code[0] != '4' && code[0] != '5' && code != "default" {
				continue
			}
			mt := r.Value.Content.Get("application/json")
			if mt == nil || mt.Schema.Value != errSchema {
				t.Errorf("%s %s: error response does not use the Error schema", op.ID, code)
			}
		}
	}
}

func checkExample(t *testing.T, where string, s *openapi3.Schema) {
	t.Helper()
	if s.Example != nil {
		checkValue(t, where+" example", s, s.Example)
	}
}

func checkValue(t *testing.T, where string, s *openapi3.Schema, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var decoded any
	_ = json.Unmarshal(b, &decoded)
	if err := s.VisitJSON(decoded, openapi3.MultiErrors()); err != nil {
		t.Errorf("%s does not match its schema: %v", where, err)
	}
}
