package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/live"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// LiveAPI implements Xentree Live: sessions charged against a monthly quota, the nickname and
// transcripts.
//
// Every session write runs in one transaction holding the user's Live lock (liveTx), which
// first closes an active session past its idle timeout. So expiry needs no background job:
// whichever request sees a stale session first closes it, charged up to its last heartbeat.
// The three ways a session closes (end, quota exhaustion, expiry) all go through closeSession.
type LiveAPI struct{ *deps }

// defaultLiveQuotas are the monthly quotas of plans the configuration does not name.
var defaultLiveQuotas = map[string]time.Duration{
	"free": 30 * time.Minute, "pro": 10 * time.Hour, "enterprise": 50 * time.Hour,
}

func (c *Config) liveDefaults() {
	q := make(map[string]time.Duration, len(defaultLiveQuotas))
	for plan, d := range defaultLiveQuotas {
		q[plan] = d
	}
	for plan, d := range c.LiveQuotas {
		q[plan] = d
	}
	c.LiveQuotas = q
	if c.LiveHeartbeatInterval == 0 {
		c.LiveHeartbeatInterval = 30 * time.Second
	}
	if c.LiveIdleTimeout == 0 {
		c.LiveIdleTimeout = 90 * time.Second
	}
}

// checkLive refuses Live settings that cannot work (after defaults).
func (c *Config) checkLive() error {
	for plan, d := range c.LiveQuotas {
		if _, ok := defaultLiveQuotas[plan]; !ok {
			return fmt.Errorf("live quota for unknown plan %q", plan)
		}
		if d < 0 || d%time.Second != 0 {
			return fmt.Errorf("live quota of plan %s must be whole seconds, not negative: %s", plan, d)
		}
	}
	for name, d := range map[string]time.Duration{"heartbeat interval": c.LiveHeartbeatInterval, "idle timeout": c.LiveIdleTimeout} {
		if d < time.Second || d%time.Second != 0 {
			return fmt.Errorf("live %s must be whole seconds, at least 1: %s", name, d)
		}
	}
	if c.LiveIdleTimeout <= c.LiveHeartbeatInterval {
		return fmt.Errorf("live idle timeout (%s) must be longer than the heartbeat interval (%s)", c.LiveIdleTimeout, c.LiveHeartbeatInterval)
	}
	return nil
}

// Live refusals.
var (
	errLiveSessionEnded   = newError(http.StatusConflict, "live_session_ended", "The live session has ended")
	errLiveSessionExpired = newError(http.StatusConflict, "live_session_expired", "The live session expired: no heartbeat within the idle timeout")
	errLiveSessionMissing = notFoundError("Live session")
)

// quotaExceeded is the docs' 429. Retry-After is the time to the next period, or 1 s when
// this one still has quota (a session that ran out in the month before).
func quotaExceeded(now time.Time, remaining int64) *APIError {
	wait := 1
	if remaining <= 0 {
		wait = live.RetryAfter(now)
	}
	return &APIError{Status: http.StatusTooManyRequests, Code: "live_quota_exceeded",
		Message: "Monthly Live session quota exceeded", RetryAfter: wait}
}

// liveCtx is one transaction holding a user's Live lock.
type liveCtx struct {
	tx     *store.Store
	userID string
	plan   string
	quota  int64
	now    time.Time
	// active is the user's active session (nil when none), a stale one already expired.
	active *store.LiveSession
}

// remaining is the quota left in the current period.
func (lc *liveCtx) remaining(ctx context.Context) (used, remaining int64, err error) {
	used, err = lc.tx.LiveUsageIn(ctx, lc.userID, live.PeriodStart(lc.now))
	return used, max(lc.quota-used, 0), err
}

// liveTx runs fn in one transaction holding userID's Live lock, after expiring the user's active
// session if it is past its idle timeout. Now is read once the lock is held. A refusal fn
// returns (an *APIError) still commits what was done before it (an expiry, a charge that ran
// out of quota); any other error rolls everything back.
func (a *LiveAPI) liveTx(ctx context.Context, userID string, fn func(lc *liveCtx) error) error {
	var refusal *APIError
	err := a.store.Tx(ctx, func(tx *store.Store) error {
		plan, err := tx.LockLiveUser(ctx, userID)
		if err != nil {
			return err
		}
		lc := &liveCtx{tx: tx, userID: userID, plan: plan, quota: int64(a.cfg.LiveQuotas[plan] / time.Second), now: a.now()}
		s, err := tx.ActiveLiveSession(ctx, userID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case live.Expired(s.LastHeartbeatAt, lc.now, a.cfg.LiveIdleTimeout):
			if err := a.expire(ctx, lc, s); err != nil {
				return err
			}
		default:
			lc.active = s
		}
		if err := fn(lc); !errors.As(err, &refusal) {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// charge bills s for the whole seconds of [s.ChargedUntil, to) within the quota, each second to
// the month it fell in; usage and session are written in the caller's transaction. heartbeat
// also records to as the session's last sign of life.
func (a *LiveAPI) charge(ctx context.Context, lc *liveCtx, s *store.LiveSession, to time.Time, heartbeat bool) (live.Charge, error) {
	used := map[time.Time]int64{}
	for _, p := range live.Periods(s.ChargedUntil, to) {
		n, err := lc.tx.LiveUsageIn(ctx, s.UserID, p)
		if err != nil {
			return live.Charge{}, err
		}
		used[p] = n
	}
	c := live.Compute(s.ChargedUntil, to, lc.quota, used)
	for _, p := range c.Pieces {
		if err := lc.tx.AddLiveUsage(ctx, s.UserID, p.Period, p.Seconds, lc.quota); err != nil {
			return c, err
		}
	}
	s.ChargedUntil = c.Until
	s.UsedSeconds += c.Seconds
	// Live time is learning time: chat sessions credit nothing before it (learning.go, credit).
	if err := lc.tx.AdvanceLearningTime(ctx, s.UserID, s.ChargedUntil); err != nil {
		return c, err
	}
	if heartbeat && to.After(s.LastHeartbeatAt) {
		s.LastHeartbeatAt = to
	}
	return c, lc.tx.ChargeLiveSession(ctx, s)
}

// closeSession is the one place a Live session closes — ended by the client, out of quota, or
// expired — inside the transaction that charged its last seconds. The update is conditional on
// the session being active and runs under the user's Live lock, so it succeeds exactly once
// per session: what follows it runs once, and only in the call that closed the session.
func (a *LiveAPI) closeSession(ctx context.Context, lc *liveCtx, s *store.LiveSession, status, reason string, at time.Time) (*store.LiveSession, error) {
	if err := lc.tx.CloseLiveSession(ctx, s, status, reason, at); err != nil {
		return nil, err
	}
	// Learning time and XP, once per session: this call is the one that closed it, and the
	// key makes a replay award nothing even so. A session charged nothing records nothing; one
	// under a minute only its time (progress.SessionFinished).
	if s.UsedSeconds == 0 {
		return s, nil
	}
	_, err := a.ledger.Award(ctx, lc.tx, s.UserID, ledger.Event{
		Source: ledger.SourceLiveSession, Kind: ledger.KindSegment,
		BaseXP: progress.SessionXP(s.UsedSeconds), ActiveSeconds: int(min(s.UsedSeconds, ledger.MaxEventSeconds)),
		OccurredAt: at, IdempotencyKey: "live_session:" + s.ID, SessionCompleted: progress.SessionFinished(s.UsedSeconds),
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// expire closes a session past its idle timeout, charged up to its last heartbeat.
func (a *LiveAPI) expire(ctx context.Context, lc *liveCtx, s *store.LiveSession) error {
	if _, err := a.charge(ctx, lc, s, s.LastHeartbeatAt, false); err != nil {
		return err
	}
	_, err := a.closeSession(ctx, lc, s, store.LiveExpired, store.LiveReasonIdleTimeout, s.LastHeartbeatAt)
	return err
}

// sessionResponse maps a session, with the quota remaining in the current period.
func (a *LiveAPI) sessionResponse(s *store.LiveSession, remaining int64) api.LiveSessionResponse {
	r := api.LiveSessionResponse{
		SessionId:                uuidOf(s.ID),
		SessionType:              api.LiveSessionType(s.SessionType),
		Status:                   api.LiveSessionResponseStatus(s.Status),
		StartedAt:                s.StartedAt,
		LastHeartbeatAt:          s.LastHeartbeatAt,
		EndedAt:                  nullableOf(s.EndedAt),
		UsedSeconds:              int(s.UsedSeconds),
		RemainingSeconds:         int(remaining),
		HeartbeatIntervalSeconds: int(a.cfg.LiveHeartbeatInterval / time.Second),
		IdleTimeoutSeconds:       int(a.cfg.LiveIdleTimeout / time.Second),
		ExpiresAt:                nullable.NewNullNullable[time.Time](),
		EndReason:                nullable.NewNullNullable[api.LiveSessionResponseEndReason](),
	}
	if s.Status == store.LiveActive {
		r.ExpiresAt = nullable.NewNullableWithValue(s.LastHeartbeatAt.Add(a.cfg.LiveIdleTimeout))
	}
	if s.EndReason != nil {
		r.EndReason = nullable.NewNullableWithValue(api.LiveSessionResponseEndReason(*s.EndReason))
	}
	return r
}

// GetLiveQuota reports the caller's plan, the current period's quota and usage, and the active
// session (closing it first when it is past its idle timeout).
func (a *LiveAPI) GetLiveQuota(ctx context.Context, _ api.GetLiveQuotaRequestObject) (api.GetLiveQuotaResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out api.LiveQuotaResponse
	err = a.liveTx(ctx, p.User.ID, func(lc *liveCtx) error {
		used, remaining, err := lc.remaining(ctx)
		if err != nil {
			return err
		}
		out = api.LiveQuotaResponse{
			Plan:        api.Plan(lc.plan),
			PeriodStart: live.PeriodStart(lc.now), PeriodEnd: live.PeriodEnd(lc.now),
			QuotaSeconds: int(lc.quota), UsedSeconds: int(used), RemainingSeconds: int(remaining),
			ActiveSession: nullable.NewNullNullable[api.LiveSessionResponse](),
		}
		if lc.active != nil {
			out.ActiveSession = nullable.NewNullableWithValue(a.sessionResponse(lc.active, remaining))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return api.GetLiveQuota200JSONResponse(out), nil
}

// StartLiveSession starts a session when none is active and quota remains.
func (a *LiveAPI) StartLiveSession(ctx context.Context, req api.StartLiveSessionRequestObject) (api.StartLiveSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out api.LiveSessionResponse
	err = a.liveTx(ctx, p.User.ID, func(lc *liveCtx) error {
		if lc.active != nil {
			return &APIError{Status: http.StatusConflict, Code: "live_session_active",
				Message: "A live session is already active: " + lc.active.ID, ActiveSessionID: lc.active.ID}
		}
		_, remaining, err := lc.remaining(ctx)
		if err != nil {
			return err
		}
		if remaining <= 0 {
			return quotaExceeded(lc.now, remaining)
		}
		s := &store.LiveSession{UserID: lc.userID, SessionType: string(req.Body.SessionType)}
		if err := lc.tx.CreateLiveSession(ctx, s); err != nil {
			return err
		}
		out = a.sessionResponse(s, remaining)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return api.StartLiveSession201JSONResponse(out), nil
}

// sessionOf loads one of the caller's sessions inside lc.
func sessionOf(ctx context.Context, lc *liveCtx, id string) (*store.LiveSession, error) {
	s, err := lc.tx.LiveSessionOf(ctx, id, lc.userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errLiveSessionMissing
	}
	return s, err
}

// HeartbeatLiveSession charges the time since the last charge; when the quota runs out the
// session ends and the answer is 429.
func (a *LiveAPI) HeartbeatLiveSession(ctx context.Context, req api.HeartbeatLiveSessionRequestObject) (api.HeartbeatLiveSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out api.LiveSessionResponse
	err = a.liveTx(ctx, p.User.ID, func(lc *liveCtx) error {
		s, err := sessionOf(ctx, lc, req.Body.SessionId.String())
		if err != nil {
			return err
		}
		switch s.Status {
		case store.LiveExpired:
			return errLiveSessionExpired
		case store.LiveEnded:
			return errLiveSessionEnded
		}
		c, err := a.charge(ctx, lc, s, lc.now, true)
		if err != nil {
			return err
		}
		if c.Exhausted {
			at := lc.now
			if live.Seconds(c.Until, lc.now) > 0 { // it ran out before now
				at = c.Until
			}
			if _, err := a.closeSession(ctx, lc, s, store.LiveEnded, store.LiveReasonQuotaExhausted, at); err != nil {
				return err
			}
			_, remaining, err := lc.remaining(ctx)
			if err != nil {
				return err
			}
			return quotaExceeded(lc.now, remaining)
		}
		_, remaining, err := lc.remaining(ctx)
		if err != nil {
			return err
		}
		out = a.sessionResponse(s, remaining)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return api.HeartbeatLiveSession200JSONResponse(out), nil
}

// EndLiveSession ends the session, charging the time since the last charge within the quota.
// A session already over is returned as it is, so ending twice is harmless.
func (a *LiveAPI) EndLiveSession(ctx context.Context, req api.EndLiveSessionRequestObject) (api.EndLiveSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out api.LiveSessionResponse
	err = a.liveTx(ctx, p.User.ID, func(lc *liveCtx) error {
		s, err := sessionOf(ctx, lc, req.Body.SessionId.String())
		if err != nil {
			return err
		}
		if s.Status == store.LiveActive {
			c, err := a.charge(ctx, lc, s, lc.now, true)
			if err != nil {
				return err
			}
			reason, at := store.LiveReasonEnded, lc.now
			if live.Seconds(c.Until, lc.now) > 0 { // the quota ran out before now
				reason, at = store.LiveReasonQuotaExhausted, c.Until
			}
			if _, err := a.closeSession(ctx, lc, s, store.LiveEnded, reason, at); err != nil {
				return err
			}
		}
		_, remaining, err := lc.remaining(ctx)
		if err != nil {
			return err
		}
		out = a.sessionResponse(s, remaining)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return api.EndLiveSession200JSONResponse(out), nil
}

// UpdateLiveNickname sets the caller's Live nickname (trimmed, 1 to 40 characters, nothing
// hidden: see live.Nickname).
func (a *LiveAPI) UpdateLiveNickname(ctx context.Context, req api.UpdateLiveNicknameRequestObject) (api.UpdateLiveNicknameResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	nick, err := live.Nickname(req.Body.Nickname)
	if err != nil {
		return nil, unprocessable("invalid_nickname", "The nickname must have 1 to 40 characters, without control, invisible or unassigned characters and at most 4 combining marks in a row")
	}
	if _, err := a.store.UpdateUser(ctx, p.User.ID, map[string]any{"live_nickname": nick}); err != nil {
		return nil, err
	}
	return api.UpdateLiveNickname200JSONResponse{Nickname: nick}, nil
}

// ListLiveTranscripts lists the caller's transcripts, newest session first, without turns.
func (a *LiveAPI) ListLiveTranscripts(ctx context.Context, req api.ListLiveTranscriptsRequestObject) (api.ListLiveTranscriptsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	rows, err := a.store.ListLiveTranscripts(ctx, p.User.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListLiveTranscripts200JSONResponse, len(rows))
	for i := range rows {
		out[i] = transcriptSummary(&rows[i])
	}
	return out, nil
}

// stamp is a client time as stored: UTC at microseconds, alike on both databases.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// SaveLiveTranscripts stores a transcript after checking its window and turns, and that the
// window lies within its session's; a session keeps one transcript (a second is 409
// transcript_exists).
func (a *LiveAPI) SaveLiveTranscripts(ctx context.Context, req api.SaveLiveTranscriptsRequestObject) (api.SaveLiveTranscriptsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	t := live.Transcript{Start: stamp(b.SessionStartedAt), End: stamp(b.SessionEndedAt), Turns: make([]live.Turn, len(b.Transcripts))}
	for i, turn := range b.Transcripts {
		t.Turns[i] = live.Turn{Role: string(turn.Role), Text: turn.Text, At: stamp(turn.Timestamp)}
	}
	now := a.now()
	if problems := live.Check(t, now); len(problems) > 0 {
		return nil, invalidTranscript(problems)
	}
	rec := &store.LiveTranscript{UserID: p.User.ID, SessionStartedAt: t.Start, SessionEndedAt: t.End}
	if b.SessionId != nil {
		id := b.SessionId.String()
		s, err := a.store.LiveSessionOf(ctx, id, p.User.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errLiveSessionMissing
		} else if err != nil {
			return nil, err
		}
		ended := now
		if s.EndedAt != nil {
			ended = *s.EndedAt
		}
		if s.Status == store.LiveExpired { // charged to its last heartbeat, it may have run until it timed out
			ended = ended.Add(a.cfg.LiveIdleTimeout)
		}
		if problems := live.CheckSession(t, s.StartedAt, ended); len(problems) > 0 {
			return nil, invalidTranscript(problems)
		}
		rec.SessionID = &id
	}
	turns := make([]store.LiveTranscriptTurn, len(t.Turns))
	for i, turn := range t.Turns {
		turns[i] = store.LiveTranscriptTurn{Role: turn.Role, Text: turn.Text, SpokenAt: turn.At}
	}
	err = a.store.CreateLiveTranscript(ctx, rec, turns)
	if errors.Is(err, store.ErrTranscriptExists) {
		msg := "The live session already has a transcript"
		if prev, err := a.store.LiveTranscriptOfSession(ctx, *rec.SessionID, p.User.ID); err == nil {
			msg += ": " + prev.ID
		}
		return nil, newError(http.StatusConflict, "transcript_exists", msg)
	}
	if err != nil {
		return nil, err
	}
	return api.SaveLiveTranscripts201JSONResponse(transcriptResponse(rec, turns)), nil
}

func invalidTranscript(problems []live.Problem) *APIError {
	e := unprocessable("invalid_transcript", "The transcript cannot be saved: "+problems[0].Field+" "+problems[0].Message)
	e.Fields = make([]api.FieldError, len(problems))
	for i, pr := range problems {
		e.Fields[i] = api.FieldError{Location: "body", Field: pr.Field, Message: pr.Message}
	}
	return e
}

// GetLiveTranscript returns one of the caller's transcripts with its turns; others' are 404.
func (a *LiveAPI) GetLiveTranscript(ctx context.Context, req api.GetLiveTranscriptRequestObject) (api.GetLiveTranscriptResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	t, err := a.store.LiveTranscriptOf(ctx, req.TranscriptId.String(), p.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundError("Transcript")
	}
	if err != nil {
		return nil, err
	}
	turns, err := a.store.LiveTranscriptTurns(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	return api.GetLiveTranscript200JSONResponse(transcriptResponse(t, turns)), nil
}

func transcriptSummary(t *store.LiveTranscript) api.LiveTranscriptSummary {
	return api.LiveTranscriptSummary{
		Id: uuidOf(t.ID), SessionId: nullableUUID(t.SessionID),
		SessionStartedAt: t.SessionStartedAt, SessionEndedAt: t.SessionEndedAt,
		TurnCount: t.TurnCount, CreatedAt: t.CreatedAt,
	}
}

func transcriptResponse(t *store.LiveTranscript, turns []store.LiveTranscriptTurn) api.LiveTranscriptResponse {
	s := transcriptSummary(t)
	out := api.LiveTranscriptResponse{
		Id: s.Id, SessionId: s.SessionId, SessionStartedAt: s.SessionStartedAt, SessionEndedAt: s.SessionEndedAt,
		TurnCount: s.TurnCount, CreatedAt: s.CreatedAt, Transcripts: make([]api.TranscriptTurn, len(turns)),
	}
	for i, turn := range turns {
		out.Transcripts[i] = api.TranscriptTurn{Role: api.TranscriptTurnRole(turn.Role), Text: turn.Text, Timestamp: turn.SpokenAt}
	}
	return out
}
