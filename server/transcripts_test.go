package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

func transcriptBody(start time.Time, sessionID string, turns ...map[string]any) map[string]any {
	b := map[string]any{
		"session_started_at": start.Format(time.RFC3339Nano),
		"session_ended_at":   start.Add(5 * time.Minute).Format(time.RFC3339Nano),
		"transcripts":        turns,
	}
	if sessionID != "" {
		b["session_id"] = sessionID
	}
	return b
}

func turn(role, text string, at time.Time) map[string]any {
	return map[string]any{"role": role, "text": text, "timestamp": at.Format(time.RFC3339Nano)}
}

// TestTranscriptValidation: the window, the turns' place in it and their order, roles, sizes and
// the session reference are checked; nothing is stored for a refused transcript.
func TestTranscriptValidation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		now := at("2026-11-27T12:00:00Z")
		h.clock.Freeze(at("2026-11-27T11:20:00Z"))
		u, other := h.newUser("tr"), h.newUser("tr_other")
		expired := h.liveStart(u).SessionId.String() // no heartbeat: expired, ended at 11:20
		h.clock.Freeze(at("2026-11-27T11:40:00Z"))
		h.relogin(u)
		done := h.liveStart(u).SessionId.String() // started and ended at 11:40
		h.liveSession(u, "end", done)
		h.clock.Freeze(now)
		h.relogin(u)
		h.relogin(other)
		start := at("2026-11-27T10:00:00Z")
		theirs := h.liveStart(other).SessionId.String()
		mine := h.liveStart(u).SessionId.String() // active since 12:00
		inSession := func(id string, from, to time.Time) map[string]any {
			b := transcriptBody(from, id, turn("ai", "Hi Ada", from))
			b["session_ended_at"] = to.Format(time.RFC3339)
			return b
		}
		mineBody := inSession(mine, now.Add(-2*time.Minute), now)
		good := func() map[string]any {
			return transcriptBody(start, "", turn("ai", "Hi Ada", start.Add(5*time.Second)), turn("user", "Hello", start.Add(9*time.Second)))
		}
		with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
		for _, tc := range []struct {
			name   string
			body   any
			status int
			code   string
			field  string
		}{
			{"end before start", with("session_ended_at", start.Add(-time.Minute).Format(time.RFC3339)), 422, "invalid_transcript", "session_ended_at"},
			{"end equals start", with("session_ended_at", start.Format(time.RFC3339)), 422, "invalid_transcript", "session_ended_at"},
			{"longer than a day", with("session_ended_at", start.Add(25*time.Hour).Format(time.RFC3339)), 422, "invalid_transcript", "session_ended_at"},
			{"in the future", transcriptBody(now.Add(time.Hour), "", turn("ai", "x", now.Add(time.Hour))), 422, "invalid_transcript", "session_ended_at"},
			{"turn before the window", with("transcripts", []any{turn("ai", "x", start.Add(-time.Second))}), 422, "invalid_transcript", "transcripts.0.timestamp"},
			{"turn after the window", with("transcripts", []any{turn("ai", "x", start.Add(6*time.Minute))}), 422, "invalid_transcript", "transcripts.0.timestamp"},
			{"turns out of order", with("transcripts", []any{turn("ai", "x", start.Add(time.Minute)), turn("user", "y", start.Add(time.Second))}), 422, "invalid_transcript", "transcripts.1.timestamp"},
			{"too much text in all", with("transcripts", bigTurns(27, start)), 422, "invalid_transcript", "transcripts"}, // 540 KB > 512 KiB
			{"unknown role", with("transcripts", []any{turn("system", "x", start)}), 400, "validation_error", ""},
			{"empty text", with("transcripts", []any{turn("ai", "", start)}), 400, "validation_error", ""},
			{"turn text too long", with("transcripts", []any{turn("ai", strings.Repeat("x", 20001), start)}), 400, "validation_error", ""},
			{"no turns", with("transcripts", []any{}), 400, "validation_error", ""},
			{"too many turns", with("transcripts", manyTurns(5001, start)), 400, "validation_error", ""},
			{"unknown field", with("mood", "happy"), 400, "validation_error", ""},
			{"missing start", func() any { b := good(); delete(b, "session_started_at"); return b }(), 400, "validation_error", ""},
			{"another user's session", with("session_id", theirs), 404, "not_found", ""},
			{"unknown session", with("session_id", store.NewID()), 404, "not_found", ""},
			{"not a session id", with("session_id", "nope"), 400, "validation_error", ""},
			{"window before its session", inSession(mine, now.Add(-10*time.Minute), now.Add(-9*time.Minute)), 422, "invalid_transcript", "session_started_at"},
			{"window after its session ended", inSession(done, at("2026-11-27T11:44:00Z"), at("2026-11-27T11:50:00Z")), 422, "invalid_transcript", "session_ended_at"},
			{"ended session, within clock skew", inSession(done, at("2026-11-27T11:39:00Z"), at("2026-11-27T11:44:00Z")), 201, "", ""},
			{"expired session, past its idle timeout", inSession(expired, at("2026-11-27T11:20:00Z"), at("2026-11-27T11:27:00Z")), 422, "invalid_transcript", "session_ended_at"},
			{"expired session, within its idle timeout", inSession(expired, at("2026-11-27T11:20:00Z"), at("2026-11-27T11:26:30Z")), 201, "", ""},
			{"own session", mineBody, 201, "", ""},
			{"own session again", mineBody, 409, "transcript_exists", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := h.countRows("live_transcripts", "1 = 1")
				r := h.raw("POST", "/api/live/transcripts", tc.body, u.auth()).expect(t, tc.status)
				after := h.countRows("live_transcripts", "1 = 1")
				if tc.status == 201 {
					if after != before+1 {
						t.Fatal("not stored")
					}
					return
				}
				if after != before {
					t.Fatal("a refused transcript was stored")
				}
				d := r.errorBody(t)
				if d.Error != tc.code {
					t.Fatalf("code %s, want %s: %s", d.Error, tc.code, r.Body)
				}
				if tc.field != "" && (d.Errors == nil || (*d.Errors)[0].Field != tc.field) {
					t.Fatalf("field errors %s, want %s", r.Body, tc.field)
				}
			})
		}
		// The conflict names the transcript the session already has.
		var list []api.LiveTranscriptSummary
		h.raw("GET", "/api/live/transcripts", nil, u.auth()).expect(t, 200).decode(t, &list)
		var existing string
		for _, s := range list {
			if !s.SessionId.IsNull() && s.SessionId.MustGet().String() == mine {
				existing = s.Id.String()
			}
		}
		if d := h.raw("POST", "/api/live/transcripts", mineBody, u.auth()).expect(t, 409).errorBody(t); !strings.Contains(d.Message, existing) {
			t.Fatalf("409 does not name %s: %s", existing, d.Message)
		}
	})
}

// bigTurns are n turns of the longest text a turn may hold.
func bigTurns(n int, at time.Time) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = turn("ai", strings.Repeat("x", 20000), at)
	}
	return out
}

func manyTurns(n int, at time.Time) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = turn("ai", "x", at)
	}
	return out
}

// TestTranscripts: saved as sent (UTC), listed newest session first with paging, read back
// whole; other users see nothing of them (404, empty lists); API keys read with live:read but
// cannot save (bearer only); a user's deletion takes them along.
func TestTranscripts(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-27T12:00:00Z"))
		u, other := h.newUser("tr_owner"), h.newUser("tr_peer")
		var saved []api.LiveTranscriptResponse
		for i := range 3 {
			start := at("2026-11-27T09:00:00+01:00").Add(time.Duration(i) * time.Hour)
			canary := fmt.Sprintf("canary-%d-%s", i, u.Username)
			var tr api.LiveTranscriptResponse
			h.raw("POST", "/api/live/transcripts", transcriptBody(start, "",
				turn("ai", "Hi, how was your weekend?", start.Add(time.Second)),
				turn("user", canary, start.Add(1500*time.Millisecond))), u.auth()).expect(t, 201).decode(t, &tr)
			if tr.TurnCount != 2 || len(tr.Transcripts) != 2 || tr.Transcripts[1].Text != canary ||
				!tr.SessionStartedAt.Equal(start) || tr.SessionStartedAt.Location() != time.UTC || !tr.SessionId.IsNull() ||
				!tr.Transcripts[1].Timestamp.Equal(start.Add(1500*time.Millisecond)) {
				t.Fatalf("saved %+v", tr)
			}
			saved = append(saved, tr)
		}
		var list []api.LiveTranscriptSummary
		h.raw("GET", "/api/live/transcripts", nil, u.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 3 || list[0].Id != saved[2].Id || list[2].Id != saved[0].Id || list[0].TurnCount != 2 {
			t.Fatalf("list %+v", list)
		}
		h.raw("GET", "/api/live/transcripts?limit=1&offset=1", nil, u.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 1 || list[0].Id != saved[1].Id {
			t.Fatalf("page %+v", list)
		}
		var got api.LiveTranscriptResponse
		h.raw("GET", "/api/live/transcripts/"+saved[1].Id.String(), nil, u.auth()).expect(t, 200).decode(t, &got)
		if got.Transcripts[1].Text != saved[1].Transcripts[1].Text || got.Transcripts[0].Role != "ai" || got.CreatedAt.IsZero() {
			t.Fatalf("get %+v", got)
		}

		// Privacy: nothing of u's transcripts reaches another user.
		h.raw("GET", "/api/live/transcripts", nil, other.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("another user lists %d transcripts", len(list))
		}
		for _, tr := range saved {
			r := h.raw("GET", "/api/live/transcripts/"+tr.Id.String(), nil, other.auth()).expect(t, 404)
			if strings.Contains(string(r.Body), "canary") {
				t.Fatal("404 leaks the transcript")
			}
		}
		h.raw("GET", "/api/live/transcripts/"+store.NewID(), nil, u.auth()).expect(t, 404)

		// API keys: read with live:read; saving is bearer only.
		org := h.createOrg(u, "Transcript Org").Id.String()
		read, _ := h.newKey(u, org, []string{"live:read"})
		all, _ := h.newKey(u, org, allScopes)
		h.raw("GET", "/api/live/transcripts", nil, apiKey(read)).expect(t, 200).decode(t, &list)
		if len(list) != 3 {
			t.Fatalf("key lists %d", len(list))
		}
		h.raw("GET", "/api/live/transcripts/"+saved[0].Id.String(), nil, apiKey(read)).expect(t, 200)
		start := at("2026-11-27T11:00:00Z")
		d := h.raw("POST", "/api/live/transcripts", transcriptBody(start, "", turn("ai", "x", start)), apiKey(all)).expect(t, 401).errorBody(t)
		if !strings.Contains(d.Message, "bearer token") {
			t.Fatalf("bearer-only message: %+v", d)
		}

		// The turns are rows search can join: by user through live_transcripts.
		if n := h.countRows("live_transcript_turns JOIN live_transcripts ON live_transcripts.id = live_transcript_turns.transcript_id",
			"live_transcripts.user_id = ? AND live_transcript_turns.text LIKE ?", u.ID, "canary-%"); n != 3 {
			t.Fatalf("%d canary turns joinable", n)
		}
		if err := h.store.DeleteUser(t.Context(), u.ID); err != nil {
			t.Fatal(err)
		}
		if n := h.countRows("live_transcript_turns", "1 = 1"); n != 0 {
			t.Fatalf("%d turns outlive their user", n)
		}
	})
}
