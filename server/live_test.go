package server_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/civil"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// Live test helpers: the quota option, requests, and the database's view.

func liveQuota(free time.Duration) option {
	return func(c *server.Config) { c.LiveQuotas = map[string]time.Duration{"free": free} }
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// relogin gives u fresh tokens after the clock moved past their lifetime.
func (h *harness) relogin(u *user) {
	h.t.Helper()
	tok := h.login(u.Username, u.Password)
	u.Access, u.Refresh = tok.AccessToken, tok.RefreshToken
}

func (h *harness) liveStart(u *user) api.LiveSessionResponse {
	h.t.Helper()
	var s api.LiveSessionResponse
	h.raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, u.auth()).expect(h.t, 201).decode(h.t, &s)
	return s
}

// live sends heartbeat or end for session id.
func (h *harness) live(u *user, op, id string) resp {
	h.t.Helper()
	return h.raw("POST", "/api/live/session/"+op, map[string]any{"session_id": id}, u.auth())
}

func (h *harness) liveSession(u *user, op, id string) api.LiveSessionResponse {
	h.t.Helper()
	var s api.LiveSessionResponse
	h.live(u, op, id).expect(h.t, 200).decode(h.t, &s)
	return s
}

func (h *harness) quota(u *user) api.LiveQuotaResponse {
	h.t.Helper()
	var q api.LiveQuotaResponse
	h.raw("GET", "/api/live/quota", nil, u.auth()).expect(h.t, 200).decode(h.t, &q)
	return q
}

// usage reads userID's charged seconds per period (RFC 3339 month start) from the database.
func (h *harness) usage(userID string) map[string]int64 {
	h.t.Helper()
	var rows []store.LiveUsage
	if err := h.store.DB(context.Background()).Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		h.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.PeriodStart.UTC().Format(time.RFC3339)] = r.UsedSeconds
	}
	return out
}

// seedUsage records seconds already used by userID in period (fixtures only).
func (h *harness) seedUsage(userID string, period time.Time, seconds int64) {
	h.t.Helper()
	if err := h.store.AddLiveUsage(context.Background(), userID, period, seconds, seconds); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) sessionRow(id string) store.LiveSession {
	h.t.Helper()
	var s store.LiveSession
	if err := h.store.DB(context.Background()).Where("id = ?", id).Take(&s).Error; err != nil {
		h.t.Fatal(err)
	}
	return s
}

// quotaBody is the docs' 429 body, byte for byte.
const quotaBody = `{"detail":{"error":"live_quota_exceeded","message":"Monthly Live session quota exceeded"}}`

func expectQuotaExceeded(t *testing.T, r resp, retryAfter int) {
	t.Helper()
	r.expect(t, 429)
	if strings.TrimSpace(string(r.Body)) != quotaBody {
		t.Fatalf("429 body %s, want %s", r.Body, quotaBody)
	}
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Fatalf("Retry-After %q, want %d", got, retryAfter)
	}
}

// TestLiveSessionLifecycle: start, a second start refused naming the active session, heartbeats
// charging whole seconds (fractions carried over), end, end again, and a new session after.
func TestLiveSessionLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("live")
		q := h.quota(u)
		if q.Plan != "free" || q.QuotaSeconds != 600 || q.UsedSeconds != 0 || q.RemainingSeconds != 600 || !q.ActiveSession.IsNull() ||
			!q.PeriodStart.Equal(at("2026-11-01T00:00:00Z")) || !q.PeriodEnd.Equal(at("2026-12-01T00:00:00Z")) {
			t.Fatalf("quota %+v", q)
		}
		s := h.liveStart(u)
		id := s.SessionId.String()
		if s.Status != "active" || s.SessionType != "voice" || s.UsedSeconds != 0 || s.RemainingSeconds != 600 ||
			s.HeartbeatIntervalSeconds != 30 || s.IdleTimeoutSeconds != 90 || !s.EndedAt.IsNull() || !s.EndReason.IsNull() ||
			!s.StartedAt.Equal(at("2026-11-10T10:00:00Z")) || s.ExpiresAt.MustGet() != at("2026-11-10T10:01:30Z") {
			t.Fatalf("started %+v", s)
		}

		again := h.raw("POST", "/api/live/session/start", map[string]any{"session_type": "avatar"}, u.auth()).expect(t, 409).errorBody(t)
		if again.Error != "live_session_active" || again.ActiveSessionId == nil || again.ActiveSessionId.String() != id || !strings.Contains(again.Message, id) {
			t.Fatalf("second start: %+v", again)
		}
		if q := h.quota(u); q.ActiveSession.MustGet().SessionId.String() != id {
			t.Fatalf("quota does not show the active session: %+v", q)
		}

		h.clock.Advance(30500 * time.Millisecond)
		if s := h.liveSession(u, "heartbeat", id); s.UsedSeconds != 30 || s.RemainingSeconds != 570 ||
			!s.LastHeartbeatAt.Equal(at("2026-11-10T10:00:30.5Z")) || s.ExpiresAt.MustGet() != at("2026-11-10T10:02:00.5Z") {
			t.Fatalf("heartbeat %+v", s)
		}
		h.clock.Advance(30 * time.Second) // 60.5 s in all: 60 charged, the half second carried
		if s := h.liveSession(u, "heartbeat", id); s.UsedSeconds != 60 {
			t.Fatalf("second heartbeat charged %d", s.UsedSeconds)
		}
		h.clock.Advance(9600 * time.Millisecond) // 70.1 s
		end := h.liveSession(u, "end", id)
		if end.Status != "ended" || end.EndReason.MustGet() != "ended" || end.UsedSeconds != 70 || end.RemainingSeconds != 530 ||
			!end.EndedAt.MustGet().Equal(at("2026-11-10T10:01:10.1Z")) || !end.ExpiresAt.IsNull() {
			t.Fatalf("end %+v", end)
		}
		h.clock.Advance(time.Minute)
		if twice := h.liveSession(u, "end", id); !reflect.DeepEqual(twice, end) {
			t.Fatalf("ending twice changed the session:\n%+v\n%+v", end, twice)
		}
		if d := h.live(u, "heartbeat", id).expect(t, 409).errorBody(t); d.Error != "live_session_ended" {
			t.Fatalf("heartbeat after end: %+v", d)
		}
		if next := h.liveStart(u); next.SessionId == s.SessionId || next.RemainingSeconds != 530 {
			t.Fatalf("new session %+v", next)
		}
		if got := h.usage(u.ID); len(got) != 1 || got["2026-11-01T00:00:00Z"] != 70 {
			t.Fatalf("usage %v", got)
		}
	}, liveQuota(10*time.Minute))
}

// TestLiveIdleExpiry: a session without heartbeats past the idle timeout expires, charged up to
// its last heartbeat, whoever looks first (quota, start, heartbeat or end) and exactly once.
func TestLiveIdleExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("idle")

		// Exactly at the timeout is still alive; a heartbeat then keeps it going.
		s := h.liveStart(u)
		h.clock.Advance(90 * time.Second)
		if hb := h.liveSession(u, "heartbeat", s.SessionId.String()); hb.Status != "active" || hb.UsedSeconds != 90 {
			t.Fatalf("heartbeat at the timeout: %+v", hb)
		}
		// Past it, the quota read closes it: charged up to the last heartbeat, not to now.
		h.clock.Advance(10 * time.Minute)
		h.relogin(u)
		q := h.quota(u)
		if !q.ActiveSession.IsNull() || q.UsedSeconds != 90 {
			t.Fatalf("stale session still active or charged past its heartbeat: %+v", q)
		}
		row := h.sessionRow(s.SessionId.String())
		if row.Status != store.LiveExpired || *row.EndReason != store.LiveReasonIdleTimeout || !row.EndedAt.Equal(at("2026-11-10T10:01:30Z")) || row.UsedSeconds != 90 {
			t.Fatalf("expired row %+v", row)
		}
		if d := h.live(u, "heartbeat", s.SessionId.String()).expect(t, 409).errorBody(t); d.Error != "live_session_expired" {
			t.Fatalf("heartbeat after expiry: %+v", d)
		}
		if e := h.liveSession(u, "end", s.SessionId.String()); e.Status != "expired" || e.EndReason.MustGet() != "idle_timeout" || e.UsedSeconds != 90 {
			t.Fatalf("end after expiry: %+v", e)
		}

		// A heartbeat arriving late is the one that finds it expired.
		s2 := h.liveStart(u)
		h.clock.Advance(20 * time.Second)
		h.liveSession(u, "heartbeat", s2.SessionId.String())
		h.clock.Advance(91 * time.Second)
		if d := h.live(u, "heartbeat", s2.SessionId.String()).expect(t, 409).errorBody(t); d.Error != "live_session_expired" {
			t.Fatalf("late heartbeat: %+v", d)
		}
		// A start after a stale session works, and the stale one is charged to its heartbeat.
		s3 := h.liveStart(u)
		h.clock.Advance(5 * time.Minute)
		h.relogin(u)
		s4 := h.liveStart(u)
		if s4.SessionId == s3.SessionId || h.sessionRow(s3.SessionId.String()).Status != store.LiveExpired {
			t.Fatal("start did not replace the stale session")
		}
		if got := h.usage(u.ID)["2026-11-01T00:00:00Z"]; got != 90+20 {
			t.Fatalf("usage %d, want 110 (nothing charged past a last heartbeat)", got)
		}
		// An end call past the timeout also just expires it.
		h.clock.Advance(2 * time.Minute)
		if e := h.liveSession(u, "end", s4.SessionId.String()); e.Status != "expired" || e.UsedSeconds != 0 {
			t.Fatalf("end of a stale session: %+v", e)
		}
		var active int64
		h.store.DB(context.Background()).Model(&store.LiveSession{}).Where("user_id = ? AND status = ?", u.ID, store.LiveActive).Count(&active)
		if active != 0 {
			t.Fatalf("%d active sessions", active)
		}
	})
}

// TestLiveQuotaExhaustion: a heartbeat past the quota charges only what remains, ends the
// session and answers the docs' 429 with Retry-After to the next period; starts are refused
// until the month turns.
func TestLiveQuotaExhaustion(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-30T23:00:00Z"))
		u := h.newUser("quota")
		s := h.liveStart(u)
		id := s.SessionId.String()
		h.clock.Advance(60 * time.Second)
		if hb := h.liveSession(u, "heartbeat", id); hb.RemainingSeconds != 40 {
			t.Fatalf("heartbeat %+v", hb)
		}
		h.clock.Advance(60 * time.Second)
		expectQuotaExceeded(t, h.live(u, "heartbeat", id), 3480) // 23:02 → midnight
		row := h.sessionRow(id)
		if row.Status != store.LiveEnded || *row.EndReason != store.LiveReasonQuotaExhausted || row.UsedSeconds != 100 ||
			!row.EndedAt.Equal(at("2026-11-30T23:01:40Z")) {
			t.Fatalf("exhausted session %+v", row)
		}
		expectQuotaExceeded(t, h.raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, u.auth()), 3480)
		if q := h.quota(u); q.RemainingSeconds != 0 || q.UsedSeconds != 100 {
			t.Fatalf("quota %+v", q)
		}
		if e := h.liveSession(u, "end", id); e.EndReason.MustGet() != "quota_exhausted" || e.UsedSeconds != 100 {
			t.Fatalf("end after exhaustion %+v", e)
		}

		// Charging exactly what remains also ends the session: nothing is left to run on.
		v := h.newUser("quota_exact")
		sv := h.liveStart(v)
		h.clock.Advance(100 * time.Second)
		expectQuotaExceeded(t, h.live(v, "heartbeat", sv.SessionId.String()), 3380)
		if row := h.sessionRow(sv.SessionId.String()); row.UsedSeconds != 100 || !row.EndedAt.Equal(at("2026-11-30T23:03:40Z")) {
			t.Fatalf("exact exhaustion %+v", row)
		}

		// An end past the quota charges what remains and says why it ended.
		w := h.newUser("quota_end")
		sw := h.liveStart(w)
		h.clock.Advance(150 * time.Second)
		if e := h.liveSession(w, "end", sw.SessionId.String()); e.UsedSeconds != 100 || e.EndReason.MustGet() != "quota_exhausted" || e.RemainingSeconds != 0 {
			t.Fatalf("end past the quota %+v", e)
		}

		// A new month brings the quota back.
		h.clock.Set(at("2026-12-01T00:00:05Z"))
		h.relogin(u)
		if n := h.liveStart(u); n.RemainingSeconds != 100 {
			t.Fatalf("December start %+v", n)
		}
	}, liveQuota(100*time.Second), func(c *server.Config) { c.LiveIdleTimeout = 5 * time.Minute })
}

// TestLiveMonthBoundary: a session across midnight UTC at the month's end charges each second
// to the month it fell in; when November runs out first, the session ends there and December
// stays available.
func TestLiveMonthBoundary(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-30T23:59:00Z"))
		u := h.newUser("month")
		s := h.liveStart(u)
		id := s.SessionId.String()
		h.clock.Advance(40 * time.Second)
		h.liveSession(u, "heartbeat", id)
		h.clock.Advance(40 * time.Second) // 00:00:20: 20 s in November, 20 in December
		hb := h.liveSession(u, "heartbeat", id)
		if hb.UsedSeconds != 80 || hb.RemainingSeconds != 980 {
			t.Fatalf("heartbeat across midnight %+v", hb)
		}
		q := h.quota(u)
		if !q.PeriodStart.Equal(at("2026-12-01T00:00:00Z")) || q.UsedSeconds != 20 || q.ActiveSession.IsNull() {
			t.Fatalf("December quota %+v", q)
		}
		h.clock.Advance(10 * time.Second)
		h.liveSession(u, "end", id)
		if got := h.usage(u.ID); got["2026-11-01T00:00:00Z"] != 60 || got["2026-12-01T00:00:00Z"] != 30 || len(got) != 2 {
			t.Fatalf("usage per month %v", got)
		}

		// November nearly spent: a heartbeat spanning midnight stops where November ran out.
		h.clock.Set(at("2026-11-30T23:59:00Z"))
		v := h.newUser("month_short")
		h.seedUsage(v.ID, at("2026-11-01T00:00:00Z"), 950)
		sv := h.liveStart(v)
		h.clock.Advance(80 * time.Second)
		expectQuotaExceeded(t, h.live(v, "heartbeat", sv.SessionId.String()), 1) // December has quota
		row := h.sessionRow(sv.SessionId.String())
		if row.UsedSeconds != 50 || !row.EndedAt.Equal(at("2026-11-30T23:59:50Z")) || *row.EndReason != store.LiveReasonQuotaExhausted {
			t.Fatalf("session ended in November %+v", row)
		}
		if got := h.usage(v.ID); got["2026-11-01T00:00:00Z"] != 1000 || got["2026-12-01T00:00:00Z"] != 0 {
			t.Fatalf("usage %v", got)
		}
		if n := h.liveStart(v); n.RemainingSeconds != 1000 {
			t.Fatalf("December start %+v", n)
		}
	}, liveQuota(1000*time.Second))
}

// TestLiveSessionsArePrivate: another user's session is 404 to heartbeat and end, and stays
// untouched; API keys act for their creator with the live scopes.
func TestLiveSessionsArePrivate(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		owner, other := h.newUser("owner"), h.newUser("other")
		s := h.liveStart(owner)
		h.clock.Advance(20 * time.Second)
		for _, op := range []string{"heartbeat", "end"} {
			if d := h.live(other, op, s.SessionId.String()).expect(t, 404).errorBody(t); d.Error != "not_found" {
				t.Fatalf("%s: %+v", op, d)
			}
			h.live(other, op, store.NewID()).expect(t, 404)
		}
		if row := h.sessionRow(s.SessionId.String()); row.Status != store.LiveActive || row.UsedSeconds != 0 {
			t.Fatalf("touched by another user: %+v", row)
		}
		if q := h.quota(other); !q.ActiveSession.IsNull() || q.UsedSeconds != 0 {
			t.Fatalf("other's quota %+v", q)
		}

		org := h.createOrg(other, "Live Org").Id.String()
		write, _ := h.newKey(other, org, []string{"live:write"})
		read, _ := h.newKey(other, org, []string{"live:read"})
		var ks api.LiveSessionResponse
		h.raw("POST", "/api/live/session/start", map[string]any{"session_type": "avatar"}, apiKey(write)).expect(t, 201).decode(t, &ks)
		h.clock.Advance(5 * time.Second)
		h.raw("POST", "/api/live/session/heartbeat", map[string]any{"session_id": ks.SessionId}, apiKey(write)).expect(t, 200)
		var q api.LiveQuotaResponse
		h.raw("GET", "/api/live/quota", nil, apiKey(read)).expect(t, 200).decode(t, &q)
		if q.UsedSeconds != 5 || q.ActiveSession.MustGet().SessionType != "avatar" {
			t.Fatalf("quota through a key %+v", q)
		}
		h.raw("POST", "/api/live/session/end", map[string]any{"session_id": ks.SessionId}, apiKey(read)).expect(t, 403)
		h.raw("POST", "/api/live/session/end", map[string]any{"session_id": s.SessionId}, apiKey(write)).expect(t, 404)
	})
}

// TestLiveNickname: trimmed and checked, shown in the profile; hidden characters are refused.
func TestLiveNickname(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("nick")
		for _, tc := range []struct {
			in     string
			status int
			want   string
		}{
			{"Ada", 200, "Ada"},
			{"  Ada Lovelace  ", 200, "Ada Lovelace"},
			{"Zoe\u0308", 200, "Zoë"},
			{strings.Repeat("é", 40), 200, strings.Repeat("é", 40)},
			{"   ", 422, ""},
			{"Ada\u200b", 422, ""},                        // zero-width space
			{"\u202eadA", 422, ""},                        // right-to-left override
			{"Ada\u2028Lovelace", 422, ""},                // line separator
			{"\u3164", 422, ""},                           // Hangul filler: a blank name
			{"\u2800\u2800", 422, ""},                     // braille blanks
			{"\u0301Ada", 422, ""},                        // a mark joining the text before the name
			{"x" + strings.Repeat("\u0334", 20), 422, ""}, // a tower of marks over the text around it
			{"Ada\U000F0000", 422, ""},                    // private use
			{"Ada\tLovelace", 400, ""},                    // control character: the schema's pattern
			{"", 400, ""},
			{strings.Repeat("a", 41), 400, ""},
		} {
			r := h.raw("PUT", "/api/live/nickname", map[string]any{"nickname": tc.in}, u.auth()).expect(t, tc.status)
			if tc.status == 422 && r.errorBody(t).Error != "invalid_nickname" {
				t.Fatalf("%q: %s", tc.in, r.Body)
			}
			if tc.status != 200 {
				continue
			}
			var got api.LiveNicknameResponse
			r.decode(t, &got)
			var me api.UserProfile
			h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200).decode(t, &me)
			if got.Nickname != tc.want || me.LiveNickname.MustGet() != tc.want {
				t.Fatalf("%q: set %q, profile %v", tc.in, got.Nickname, me.LiveNickname)
			}
		}
		// A refused nickname leaves the last good one.
		var me api.UserProfile
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200).decode(t, &me)
		if me.LiveNickname.MustGet() != strings.Repeat("é", 40) {
			t.Fatalf("profile %v", me.LiveNickname)
		}
	})
}

// TestLiveFeedsProgress: a closed Live session records its charged time as learning time and
// earns session XP through the ledger exactly once, however it closes (end, expiry) and however
// many ends race for it.
func TestLiveFeedsProgress(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("liveprog")
		s := h.liveStart(u)
		for range 10 { // 5 minutes of 30 s heartbeats
			h.clock.Advance(30 * time.Second)
			h.liveSession(u, "heartbeat", s.SessionId.String())
		}
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.live(u, "end", s.SessionId.String()).expect(t, 200)
			}()
		}
		wg.Wait()
		// An expired session counts too: 2 minutes of heartbeats, then silence.
		s2 := h.liveStart(u)
		for range 4 {
			h.clock.Advance(30 * time.Second)
			h.liveSession(u, "heartbeat", s2.SessionId.String())
		}
		h.clock.Advance(10 * time.Minute)
		h.relogin(u)
		h.quota(u) // closes the stale session
		h.live(u, "end", s2.SessionId.String()).expect(t, 200)

		var lt api.LearningTimeAnalyticsResponse
		h.raw("GET", "/api/xp/learning-time", nil, u.auth()).expect(t, 200).decode(t, &lt)
		if lt.TotalSeconds != 300+120 || lt.BySource.LiveSession != 300+120 {
			t.Fatalf("learning time %+v, want 420 s of live sessions", lt)
		}
		var p api.XPProfileResponse
		h.raw("GET", "/api/xp/profile", nil, u.auth()).expect(t, 200).decode(t, &p)
		if want := progress.SessionXP(300) + progress.SessionXP(120); p.TotalXp < want || p.Today.Segments != want {
			t.Fatalf("profile %+v, want %d segment XP from the two sessions", p, want)
		}
		if n := h.countRows("xp_events", "user_id = ? AND source = ?", u.ID, "live_session"); n != 2 {
			t.Fatalf("%d live_session events, want 2", n)
		}
	})
}

// TestLiveEmptySessionsFinishNothing: a session closed before a minute was charged is no
// finished session: started and ended at once it records nothing, and under a minute only its
// time, so start-and-end cannot farm the "finish a session" quest (its XP, tokens and the
// day's streak). A session of a minute finishes it.
func TestLiveEmptySessionsFinishNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("liveempty")
		// A day on which the user's quests include finishing a session.
		day := at("2026-11-01T10:00:00Z")
		for ; !slices.ContainsFunc(progress.DailyQuests(u.ID, civil.Of(day, time.UTC)), func(q progress.Quest) bool {
			return q.Key == "finish_session"
		}); day = day.AddDate(0, 0, 1) {
		}
		h.clock.Freeze(day)
		h.relogin(u)
		finished := func() bool {
			var q api.QuestsResponse
			h.raw("GET", "/api/xp/daily-quests", nil, u.auth()).expect(t, 200).decode(t, &q)
			for _, it := range q.Quests {
				if it.Key == "finish_session" {
					return it.Completed
				}
			}
			t.Fatalf("no finish_session quest on %s: %+v", day, q)
			return false
		}
		s := h.liveStart(u)
		h.liveSession(u, "end", s.SessionId.String())
		if n := h.countRows("xp_events", "user_id = ?", u.ID); n != 0 || finished() {
			t.Fatalf("an empty session recorded %d events (quest finished: %v)", n, finished())
		}
		s = h.liveStart(u)
		h.clock.Advance(59 * time.Second)
		h.liveSession(u, "end", s.SessionId.String())
		var lt api.LearningTimeAnalyticsResponse
		h.raw("GET", "/api/xp/learning-time", nil, u.auth()).expect(t, 200).decode(t, &lt)
		if finished() || lt.BySource.LiveSession != 59 {
			t.Fatalf("59 s session: quest finished %v, learning time %+v", finished(), lt.BySource)
		}
		s = h.liveStart(u)
		h.clock.Advance(time.Minute)
		h.liveSession(u, "end", s.SessionId.String())
		if !finished() {
			t.Fatal("a one-minute session did not finish the quest")
		}
	})
}
