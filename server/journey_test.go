package server_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	xentree "github.com/xentree/xentree-api/sdk/go"
	"github.com/xentree/xentree-api/server"
)

// TestJourney drives the whole API through the Go SDK (sdk/go) as a user and an integrator
// would, on both databases: every call goes through the real Echo stack and every answer is
// validated against openapi.yaml by the harness. Each area is one step; a new area adds a step.
func TestJourney(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		j := newJourney(t, h)
		j.accounts()
		j.refresh()
		j.organizations()
		j.apiKeys()
		j.chat()
		j.knowledge()
		j.english()
		j.live()
		j.transcripts()
		j.progress()
		j.logout()
	}, func(c *server.Config) { c.LiveQuotas = map[string]time.Duration{"free": 2 * time.Minute} })
}

// sdkServer is the base URL the SDK is given; the harness serves it in process.
const sdkServer = "http://xentree.test"

type journey struct {
	t    *testing.T
	h    *harness
	ctx  context.Context
	anon *xentree.ClientWithResponses
	// ada runs the organization; bob joins it.
	ada, bob           *xentree.Session
	adaID, bobID       openapi_types.UUID
	org, org2          openapi_types.UUID
	team, team2        openapi_types.UUID
	liveSession        openapi_types.UUID
	liveStart, liveEnd time.Time
}

func newJourney(t *testing.T, h *harness) *journey {
	anon, err := xentree.NewClientWithResponses(sdkServer, xentree.WithHTTPClient(h))
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Freeze(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)) // mid-month: the Live quota period holds the whole journey
	return &journey{t: t, h: h, ctx: context.Background(), anon: anon}
}

// want fails the step unless the call succeeded with status.
func want[R xentree.Response](t *testing.T, step string, res R, err error, status int) R {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if res.StatusCode() != status {
		t.Fatalf("%s: %d, want %d: %s", step, res.StatusCode(), status, res.GetBody())
	}
	return res
}

// wantError fails the step unless the call was refused with status and code.
func wantError[R xentree.Response](t *testing.T, step string, res R, err error, status int, code string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	var e *xentree.APIError
	if !errors.As(xentree.Check(res), &e) || e.StatusCode != status || e.Detail.Error != code {
		t.Fatalf("%s: %d %s, want %d %s", step, res.StatusCode(), res.GetBody(), status, code)
	}
}

func (j *journey) accounts() {
	t, ctx := j.t, j.ctx
	for _, u := range []struct {
		name string
		id   *openapi_types.UUID
	}{{"ada", &j.adaID}, {"bob", &j.bobID}} {
		res, err := j.anon.RegisterWithResponse(ctx, xentree.RegisterJSONRequestBody{
			Username: u.name, Email: openapi_types.Email(u.name + "@example.com"), Password: "correct-horse-" + u.name,
		})
		*u.id = want(t, "register "+u.name, res, err, 201).JSON201.Id
	}
	dup, err := j.anon.RegisterWithResponse(ctx, xentree.RegisterJSONRequestBody{Username: "ADA", Email: "ada2@example.com", Password: "correct-horse-x"})
	wantError(t, "register a taken name", dup, err, 409, "user_exists")
	if _, err := xentree.Login(ctx, sdkServer, "ada", "wrong-password", xentree.WithHTTPClient(j.h)); !isAPIError(err, 401) {
		t.Fatalf("wrong password: %v", err)
	}
	var err2 error
	if j.ada, err2 = xentree.Login(ctx, sdkServer, "ada@example.com", "correct-horse-ada", xentree.WithHTTPClient(j.h)); err2 != nil {
		t.Fatal(err2)
	}
	if j.bob, err2 = xentree.Login(ctx, sdkServer, "bob", "correct-horse-bob", xentree.WithHTTPClient(j.h)); err2 != nil {
		t.Fatal(err2)
	}
	for _, s := range []*xentree.Session{j.ada, j.bob} {
		s.Now = j.h.clock.Now
		if err := s.Refresh(ctx); err != nil { // the pair's expiry, now on the server's clock
			t.Fatal(err)
		}
	}
	me, err := j.ada.GetMeWithResponse(ctx)
	if p := want(t, "me", me, err, 200).JSON200; p.Id != j.adaID || p.Username != "ada" || p.Plan != xentree.Free {
		t.Fatalf("me: %s", me.Body)
	}
	upd, err := j.ada.UpdateMeWithResponse(ctx, xentree.UpdateMeJSONRequestBody{FullName: nullable.NewNullableWithValue("Ada Lovelace")})
	if want(t, "update me", upd, err, 200).JSON200.FullName.MustGet() != "Ada Lovelace" {
		t.Fatalf("update me: %s", upd.Body)
	}
}

// refresh: an access token that expires is refreshed before the call (the session knows its
// expiry), and one the server refuses is refreshed after the 401 and the call repeated.
func (j *journey) refresh() {
	t, ctx := j.t, j.ctx
	before := j.ada.Tokens()
	j.h.clock.Advance(16 * time.Minute)
	me, err := j.ada.GetMeWithResponse(ctx)
	want(t, "me after expiry", me, err, 200)
	after := j.ada.Tokens()
	if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken {
		t.Fatal("the session did not refresh an expired pair")
	}
	// Past the rotation grace, the rotated refresh token is refused (and revokes the session).
	j.h.clock.Advance(time.Minute)
	old, err := j.anon.RefreshTokenWithResponse(ctx, xentree.RefreshTokenJSONRequestBody{RefreshToken: before.RefreshToken})
	if err != nil || old.StatusCode() != 401 {
		t.Fatalf("reused refresh token: %v %s", err, old.Body)
	}
	// Reuse revoked the session: ada logs in again, on a session clock that lags the server's
	// by 20 minutes, so only the server's 401 tells her token is stale.
	var lerr error
	if j.ada, lerr = xentree.Login(ctx, sdkServer, "ada", "correct-horse-ada", xentree.WithHTTPClient(j.h)); lerr != nil {
		t.Fatal(lerr)
	}
	lag := j.h.clock.Now()
	j.ada.Now = func() time.Time { return lag }
	j.h.clock.Advance(20 * time.Minute)
	first := j.ada.Tokens()
	me, err = j.ada.GetMeWithResponse(ctx)
	want(t, "me after a 401", me, err, 200)
	if j.ada.Tokens().AccessToken == first.AccessToken {
		t.Fatal("the 401 did not refresh the pair")
	}
	j.ada.Now = j.h.clock.Now
	if err := j.ada.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := j.bob.Refresh(ctx); err != nil { // bob's pair expired meanwhile
		t.Fatal(err)
	}
}

func (j *journey) organizations() {
	t, ctx := j.t, j.ctx
	org, err := j.ada.CreateOrganizationWithResponse(ctx, xentree.CreateOrganizationJSONRequestBody{Name: "Journey Academy"})
	o := want(t, "create org", org, err, 201).JSON201
	if o.Slug != "journey-academy" || o.MyRole.MustGet() != xentree.Admin {
		t.Fatalf("org: %s", org.Body)
	}
	j.org = o.Id
	org2, err := j.ada.CreateOrganizationWithResponse(ctx, xentree.CreateOrganizationJSONRequestBody{Name: "Journey Campus"})
	j.org2 = want(t, "create second org", org2, err, 201).JSON201.Id
	team, err := j.ada.CreateTeamWithResponse(ctx, j.org, xentree.CreateTeamJSONRequestBody{Name: "Speaking club"})
	j.team = want(t, "create team", team, err, 201).JSON201.Id
	team2, err := j.ada.CreateTeamWithResponse(ctx, j.org2, xentree.CreateTeamJSONRequestBody{Name: "Writing lab"})
	j.team2 = want(t, "create team in the second org", team2, err, 201).JSON201.Id

	// bob cannot see the organization before he joins it.
	hidden, err := j.bob.GetOrganizationWithResponse(ctx, j.org)
	wantError(t, "non-member reads the org", hidden, err, 404, "not_found")
	bob := xentree.Username("bob")
	add, err := j.ada.AddMemberWithResponse(ctx, j.org, xentree.AddMemberJSONRequestBody{Username: &bob, TeamId: nullable.NewNullableWithValue(j.team)})
	if m := want(t, "add bob", add, err, 201).JSON201; m.Role != xentree.Member || m.TeamId.MustGet() != j.team {
		t.Fatalf("add member: %s", add.Body)
	}
	again, err := j.ada.AddMemberWithResponse(ctx, j.org, xentree.AddMemberJSONRequestBody{Username: &bob})
	wantError(t, "add bob twice", again, err, 409, "already_member")
	manager := xentree.Manager
	role, err := j.ada.UpdateMemberRoleWithResponse(ctx, j.org, j.bobID, xentree.UpdateMemberRoleJSONRequestBody{Role: manager})
	if want(t, "promote bob", role, err, 200).JSON200.Role != xentree.Manager {
		t.Fatalf("role: %s", role.Body)
	}
	list, err := j.bob.ListMembersWithResponse(ctx, j.org, nil)
	if ms := *want(t, "bob lists members", list, err, 200).JSON200; len(ms) != 2 {
		t.Fatalf("members: %s", list.Body)
	}
	// The comprehensive PUT: bob moves to the second organization, into its team, as a member.
	member := xentree.Member
	moved, err := j.ada.UpdateMemberWithResponse(ctx, j.org, j.bobID, xentree.UpdateMemberJSONRequestBody{
		OrganizationId: &j.org2, TeamId: nullable.NewNullableWithValue(j.team2), Role: &member,
	})
	if m := want(t, "move bob", moved, err, 200).JSON200; m.TeamId.MustGet() != j.team2 || m.Role != xentree.Member || m.TeamName.MustGet() != "Writing lab" {
		t.Fatalf("moved member: %s", moved.Body)
	}
	gone, err := j.bob.ListMembersWithResponse(ctx, j.org, nil)
	wantError(t, "bob lists his old org", gone, err, 404, "not_found")
	// Only admin left: ada cannot step down in the first organization.
	last, err := j.ada.UpdateMemberRoleWithResponse(ctx, j.org, j.adaID, xentree.UpdateMemberRoleJSONRequestBody{Role: xentree.Member})
	wantError(t, "last admin steps down", last, err, 409, "last_admin")
	hiddenText := "Writing\u202elab"
	bad, err := j.ada.UpdateTeamWithResponse(ctx, j.org2, j.team2, xentree.UpdateTeamJSONRequestBody{Name: &hiddenText})
	wantError(t, "rename a team with hidden text", bad, err, 422, "invalid_name")
	teams, err := j.bob.ListTeamsWithResponse(ctx, j.org2, nil)
	if ts := *want(t, "bob lists teams", teams, err, 200).JSON200; len(ts) != 1 || ts[0].Id != j.team2 {
		t.Fatalf("teams: %s", teams.Body)
	}
}

func (j *journey) apiKeys() {
	t, ctx := j.t, j.ctx
	created, err := j.ada.CreateApiKeyWithResponse(ctx, xentree.CreateApiKeyJSONRequestBody{
		Name: "roster sync", OrganizationId: j.org2, Scopes: []xentree.APIKeyScope{xentree.OrganizationsRead},
	})
	k := want(t, "create key", created, err, 201).JSON201
	if k.Key == nil {
		t.Fatalf("no secret in the create answer: %s", created.Body)
	}
	integrator, err := xentree.NewClientWithResponses(sdkServer, xentree.WithHTTPClient(j.h), xentree.WithAPIKey(*k.Key))
	if err != nil {
		t.Fatal(err)
	}
	members, err := integrator.ListMembersWithResponse(ctx, j.org2, nil)
	if ms := *want(t, "key lists members", members, err, 200).JSON200; len(ms) != 2 {
		t.Fatalf("members via key: %s", members.Body)
	}
	write, err := integrator.CreateTeamWithResponse(ctx, j.org2, xentree.CreateTeamJSONRequestBody{Name: "Key team"})
	wantError(t, "key without organizations:write", write, err, 403, "INSUFFICIENT_API_KEY_SCOPE")
	other, err := integrator.ListMembersWithResponse(ctx, j.org, nil)
	wantError(t, "key outside its organization", other, err, 404, "not_found")
	keys, err := j.ada.ListApiKeysWithResponse(ctx, nil)
	if ks := *want(t, "list keys", keys, err, 200).JSON200; len(ks) != 1 || ks[0].Key != nil {
		t.Fatalf("keys: %s", keys.Body)
	}
	del, err := j.ada.DeleteApiKeyWithResponse(ctx, k.Id)
	want(t, "delete key", del, err, 204)
	revoked, err := integrator.ListMembersWithResponse(ctx, j.org2, nil)
	wantError(t, "deleted key", revoked, err, 401, "invalid_api_key")
}

// chat: bob talks to the offline tutor in a conversation, as JSON and as a stream, and reads
// the stored turns back.
func (j *journey) chat() {
	t, ctx := j.t, j.ctx
	prompt := "You are a patient English tutor."
	conv, err := j.bob.CreateConversationWithResponse(ctx, xentree.CreateConversationJSONRequestBody{SystemPrompt: &prompt})
	c := want(t, "create conversation", conv, err, 201).JSON201
	reply, err := j.bob.GenerateChatWithResponse(ctx, xentree.GenerateChatJSONRequestBody{
		Message: "What does 'actually' mean?", ConversationId: &c.Id,
	})
	r := want(t, "chat", reply, err, 200).JSON200
	if r.Provider != "offline" || strings.TrimSpace(r.Content) == "" || r.ConversationId.MustGet() != c.Id {
		t.Fatalf("chat: %s", reply.Body)
	}
	stream, err := j.bob.GenerateChatWithResponse(ctx, xentree.GenerateChatJSONRequestBody{
		Message: "Give me an exercise on the past simple", ConversationId: &c.Id,
	}, func(_ context.Context, req *http.Request) error {
		req.Header.Set("Accept", "text/event-stream")
		return nil
	})
	want(t, "chat stream", stream, err, 200)
	if ct := stream.HTTPResponse.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") ||
		!bytes.Contains(stream.Body, []byte("event: delta")) || !bytes.Contains(stream.Body, []byte("event: done")) {
		t.Fatalf("stream (%s): %s", ct, stream.Body)
	}
	msgs, err := j.bob.ListConversationMessagesWithResponse(ctx, c.Id, nil)
	if ms := *want(t, "messages", msgs, err, 200).JSON200; len(ms) != 4 || ms[0].Content != "What does 'actually' mean?" {
		t.Fatalf("messages: %s", msgs.Body)
	}
	other, err := j.ada.ListConversationMessagesWithResponse(ctx, c.Id, nil)
	wantError(t, "another user's conversation", other, err, 404, "not_found")
}

// knowledge: bob searches his conversation, adds a document to his own knowledge base,
// finds it, and asks a RAG question answered from it with sources.
func (j *journey) knowledge() {
	t, ctx := j.t, j.ctx
	types := []xentree.SearchContentType{xentree.SearchContentTypeMessage}
	found, err := j.bob.SearchContentWithResponse(ctx, &xentree.SearchContentParams{Q: "actually", Types: &types})
	if rs := *want(t, "search conversations", found, err, 200).JSON200; len(rs) == 0 {
		t.Fatalf("search: %s", found.Body)
	}
	doc, err := j.bob.CreateKnowledgeDocumentWithResponse(ctx, xentree.CreateKnowledgeDocumentJSONRequestBody{
		Title:   "Phrasal verbs with take",
		Content: "# Take off\n\nTo take off means to leave the ground, as a plane does. It also means to become successful quickly.\n\n# Take up\n\nTo take up a hobby means to start doing it.",
	})
	d := want(t, "create document", doc, err, 201).JSON201
	hits, err := j.bob.SearchKnowledgeWithResponse(ctx, xentree.SearchKnowledgeJSONRequestBody{Query: "plane leave the ground"})
	if hs := *want(t, "search knowledge", hits, err, 200).JSON200; len(hs) == 0 || hs[0].DocumentId != d.Id {
		t.Fatalf("knowledge search: %s", hits.Body)
	}
	none, err := j.ada.SearchKnowledgeWithResponse(ctx, xentree.SearchKnowledgeJSONRequestBody{Query: "plane leave the ground"})
	for _, h := range *want(t, "ada searches", none, err, 200).JSON200 {
		if h.DocumentId == d.Id {
			t.Fatal("ada found bob's private document")
		}
	}
	rag, err := j.bob.RagQueryWithResponse(ctx, xentree.RagQueryJSONRequestBody{Query: "What does take off mean?"})
	if r := want(t, "rag", rag, err, 200).JSON200; strings.TrimSpace(r.Answer) == "" || len(r.Sources) == 0 || r.Sources[0].DocumentId != d.Id {
		t.Fatalf("rag: %s", rag.Body)
	}
}

// english: bob browses the XEL catalogue, answers a multiple-choice task and a writing task
// (AI-evaluated, offline here), asks for a free evaluation, and sees it on his dashboard.
func (j *journey) english() {
	t, ctx := j.t, j.ctx
	limit := 200
	mods, err := j.bob.ListXELModulesWithResponse(ctx, &xentree.ListXELModulesParams{Limit: &limit})
	list := *want(t, "xel modules", mods, err, 200).JSON200
	var choice, writing *xentree.XELTask
	var choiceMod, writingMod xentree.UUID
	for _, m := range list {
		if choice != nil && writing != nil {
			break
		}
		d, err := j.bob.GetXELModuleWithResponse(ctx, m.Id)
		for _, task := range want(t, "xel module", d, err, 200).JSON200.Tasks {
			switch {
			case task.Type == xentree.XELTaskTypeMultipleChoice && choice == nil:
				choice, choiceMod = &task, m.Id
			case task.Type == xentree.XELTaskTypeWriting && writing == nil:
				writing, writingMod = &task, m.Id
			}
		}
	}
	if choice == nil || writing == nil {
		t.Fatalf("no multiple-choice or writing task in %d modules", len(list))
	}
	pick := choice.Options.MustGet()[0]
	mc, err := j.bob.SubmitXELTaskWithResponse(ctx, xentree.SubmitXELTaskJSONRequestBody{ModuleId: choiceMod, TaskId: choice.Id, Answer: &pick})
	if r := want(t, "multiple choice", mc, err, 201).JSON201; !r.Correct.IsSpecified() || r.Attempt != 1 {
		t.Fatalf("multiple choice: %s", mc.Body)
	}
	text := "Last weekend I visited my grandparents in the countryside. We cooked dinner together, " +
		"walked along the river and talked about their childhood. It was relaxing, and I want to go back soon."
	wr, err := j.bob.SubmitXELTaskWithResponse(ctx, xentree.SubmitXELTaskJSONRequestBody{ModuleId: writingMod, TaskId: writing.Id, Answer: &text})
	if r := want(t, "writing task", wr, err, 201).JSON201; !r.Evaluation.IsSpecified() || r.Evaluation.IsNull() {
		t.Fatalf("writing task without evaluation: %s", wr.Body)
	}
	ev, err := j.bob.EvaluateXELWithResponse(ctx, xentree.EvaluateXELJSONRequestBody{Kind: xentree.XELEvaluationRequestKindWriting, Text: text})
	if e := want(t, "evaluate", ev, err, 200).JSON200; e.OverallScore <= 0 || len(e.Criteria) == 0 {
		t.Fatalf("evaluation: %s", ev.Body)
	}
	dash, err := j.bob.GetXELDashboardWithResponse(ctx)
	if d := want(t, "xel dashboard", dash, err, 200).JSON200; len(d.RecentActivity) < 2 {
		t.Fatalf("dashboard: %s", dash.Body)
	}
}

// live runs bob's Live session to the end of a 2-minute quota.
func (j *journey) live() {
	t, ctx := j.t, j.ctx
	q, err := j.bob.GetLiveQuotaWithResponse(ctx)
	if qq := want(t, "quota", q, err, 200).JSON200; qq.QuotaSeconds != 120 || qq.RemainingSeconds != 120 {
		t.Fatalf("quota: %s", q.Body)
	}
	start, err := j.bob.StartLiveSessionWithResponse(ctx, xentree.StartLiveSessionJSONRequestBody{SessionType: xentree.Voice})
	s := want(t, "start live", start, err, 201).JSON201
	j.liveSession, j.liveStart = s.SessionId, s.StartedAt
	second, err := j.bob.StartLiveSessionWithResponse(ctx, xentree.StartLiveSessionJSONRequestBody{SessionType: xentree.Avatar})
	wantError(t, "second start", second, err, 409, "live_session_active")
	ref := xentree.LiveSessionRef{SessionId: j.liveSession}
	j.h.clock.Advance(60 * time.Second)
	hb, err := j.bob.HeartbeatLiveSessionWithResponse(ctx, ref)
	if s := want(t, "heartbeat", hb, err, 200).JSON200; s.UsedSeconds != 60 || s.RemainingSeconds != 60 {
		t.Fatalf("heartbeat: %s", hb.Body)
	}
	j.h.clock.Advance(61 * time.Second)
	over, err := j.bob.HeartbeatLiveSessionWithResponse(ctx, ref)
	wantError(t, "heartbeat past the quota", over, err, 429, "live_quota_exceeded")
	end, err := j.bob.EndLiveSessionWithResponse(ctx, ref)
	e := want(t, "end live", end, err, 200).JSON200
	if e.UsedSeconds != 120 || e.EndReason.MustGet() != xentree.LiveSessionResponseEndReasonQuotaExhausted {
		t.Fatalf("ended session: %s", end.Body)
	}
	j.liveEnd = e.EndedAt.MustGet()
	again, err := j.bob.StartLiveSessionWithResponse(ctx, xentree.StartLiveSessionJSONRequestBody{SessionType: xentree.Voice})
	wantError(t, "start with no quota left", again, err, 429, "live_quota_exceeded")
	q, err = j.bob.GetLiveQuotaWithResponse(ctx)
	if qq := want(t, "quota after", q, err, 200).JSON200; qq.UsedSeconds != 120 || qq.RemainingSeconds != 0 || qq.ActiveSession.IsSpecified() && !qq.ActiveSession.IsNull() {
		t.Fatalf("quota after: %s", q.Body)
	}
}

func (j *journey) transcripts() {
	t, ctx := j.t, j.ctx
	turns := []xentree.TranscriptTurn{
		{Role: xentree.TranscriptTurnRoleAi, Text: "Hello Bob, what did you do this weekend?", Timestamp: j.liveStart.Add(5 * time.Second)},
		{Role: xentree.TranscriptTurnRoleUser, Text: "I have went to the mountains.", Timestamp: j.liveStart.Add(20 * time.Second)},
	}
	saved, err := j.bob.SaveLiveTranscriptsWithResponse(ctx, xentree.SaveLiveTranscriptsJSONRequestBody{
		SessionId: &j.liveSession, SessionStartedAt: j.liveStart, SessionEndedAt: j.liveEnd, Transcripts: turns,
	})
	tr := want(t, "save transcript", saved, err, 201).JSON201
	list, err := j.bob.ListLiveTranscriptsWithResponse(ctx, nil)
	if ls := *want(t, "list transcripts", list, err, 200).JSON200; len(ls) != 1 || ls[0].Id != tr.Id || ls[0].TurnCount != 2 {
		t.Fatalf("transcripts: %s", list.Body)
	}
	got, err := j.bob.GetLiveTranscriptWithResponse(ctx, tr.Id)
	if g := want(t, "read transcript", got, err, 200).JSON200; len(g.Transcripts) != 2 || g.Transcripts[1].Text != turns[1].Text {
		t.Fatalf("transcript: %s", got.Body)
	}
	other, err := j.ada.GetLiveTranscriptWithResponse(ctx, tr.Id)
	wantError(t, "another user's transcript", other, err, 404, "not_found")
}

// progress reads what the journey earned: the Live session's XP on bob's profile, streak,
// pulse and quests.
func (j *journey) progress() {
	t, ctx := j.t, j.ctx
	p, err := j.bob.GetXPProfileWithResponse(ctx)
	prof := want(t, "xp profile", p, err, 200).JSON200
	if prof.TotalXp <= 0 || prof.Level < 1 || prof.CurrentStreak != 1 {
		t.Fatalf("profile: %s", p.Body)
	}
	s, err := j.bob.GetStreakStatusWithResponse(ctx)
	if st := want(t, "streak", s, err, 200).JSON200; st.CurrentStreak != 1 || st.StreakAtRisk {
		t.Fatalf("streak: %s", s.Body)
	}
	pulse, err := j.bob.GetLearningPulseWithResponse(ctx)
	if pl := want(t, "pulse", pulse, err, 200).JSON200; pl.ActiveDays != 1 || pl.TotalXp != prof.TotalXp {
		t.Fatalf("pulse: %s (profile total %d)", pulse.Body, prof.TotalXp)
	}
	quests, err := j.bob.GetDailyQuestsWithResponse(ctx)
	if qs := want(t, "quests", quests, err, 200).JSON200; len(qs.Quests) != 3 {
		t.Fatalf("quests: %s", quests.Body)
	}
	fresh, err := j.ada.GetXPProfileWithResponse(ctx)
	if want(t, "ada's profile", fresh, err, 200).JSON200.TotalXp != 0 {
		t.Fatalf("ada earned XP she did not: %s", fresh.Body)
	}
}

func (j *journey) logout() {
	t, ctx := j.t, j.ctx
	if err := j.ada.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	me, err := j.ada.GetMeWithResponse(ctx)
	if err != nil || me.StatusCode() != 401 {
		t.Fatalf("me after logout: %v %s", err, me.Body)
	}
	ref, err := j.anon.RefreshTokenWithResponse(ctx, xentree.RefreshTokenJSONRequestBody{RefreshToken: j.ada.Tokens().RefreshToken})
	if err != nil || ref.StatusCode() != 401 {
		t.Fatalf("refresh after logout: %v %s", err, ref.Body)
	}
	still, err := j.bob.GetMeWithResponse(ctx)
	want(t, "bob is still logged in", still, err, 200)
}

func isAPIError(err error, status int) bool {
	var e *xentree.APIError
	return errors.As(err, &e) && e.StatusCode == status
}
