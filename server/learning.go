package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/conversation"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/live"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// Learning sessions: timed stretches of learning in a conversation whose active time becomes
// learning time and XP. Every session write runs in learningTx, one transaction holding the
// conversation's lock that first closes an active session past its idle timeout; so expiry
// needs no background job (the sweep registered with the maintenance runner only makes the
// ledger timely for learners who never come back). The three ways a session closes (end,
// expiry, deletion of its conversation) all go through closeLearningSession.

// Learning session refusals.
var (
	errLearningSessionMissing = notFoundError("Learning session")
	errLearningSessionEnded   = newError(http.StatusConflict, "learning_session_ended", "The learning session has ended; start a new one")
	errLearningSessionExpired = newError(http.StatusConflict, "learning_session_expired",
		"The learning session ended after no activity within the idle timeout; start a new one")
)

// learningCtx is one transaction holding a conversation's lock.
type learningCtx struct {
	tx   *store.Store
	conv *store.Conversation
	now  time.Time
	// latest is the conversation's latest session (nil when none); one past its idle timeout
	// is already closed.
	latest *store.LearningSession
}

// learningTx runs fn in one transaction holding the caller's conversation id's lock (404 for
// anyone else's), after closing its active session when it is past the idle timeout. Now is
// read once the lock is held. A refusal fn returns (an *APIError) still commits the expiry; any
// other error rolls everything back.
func (a *ConversationsAPI) learningTx(ctx context.Context, p *Principal, id string, fn func(lc *learningCtx) error) error {
	var refusal *APIError
	err := a.store.Tx(ctx, func(tx *store.Store) error {
		c, err := lockConversation(ctx, tx, p, id)
		if err != nil {
			return err
		}
		lc := &learningCtx{tx: tx, conv: c, now: a.now()}
		s, err := tx.LatestLearningSession(ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			lc.latest = s
			if s.Status == store.LearningActive && conversation.Expired(s.LastActivityAt, lc.now, a.cfg.LearningIdleTimeout) {
				if err := closeLearningSession(ctx, a.ledger, tx, s, store.LearningReasonIdleTimeout, s.LastActivityAt); err != nil {
					return err
				}
			}
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

// closeLearningSession is the one place a learning session closes, inside the transaction that
// credited its last seconds. The update is conditional on the session being active and runs
// under its conversation's lock, so it succeeds exactly once per session: the award below runs
// once, in the call that closed it (and its idempotency key would make a replay award nothing
// even so). A session without active time records nothing; one under a minute records its time
// but does not count as a finished session for the daily quests, so empty sessions complete
// nothing.
func closeLearningSession(ctx context.Context, l *ledger.Ledger, tx *store.Store, s *store.LearningSession, reason string, at time.Time) error {
	if err := tx.CloseLearningSession(ctx, s, reason, at); err != nil {
		return err
	}
	if s.ActiveSeconds <= 0 {
		return nil
	}
	_, err := l.Award(ctx, tx, s.UserID, ledger.Event{
		Source: ledger.SourceChatSession, Kind: ledger.KindSegment,
		BaseXP: progress.SessionXP(s.ActiveSeconds), ActiveSeconds: int(min(s.ActiveSeconds, ledger.MaxEventSeconds)),
		OccurredAt: at, IdempotencyKey: "chat_session:" + s.ID, SessionCompleted: s.ActiveSeconds >= conversation.CompletedSeconds,
	})
	return err
}

// credit adds the active time since the session's last credit (conversation.Credit: at most
// the elapsed time, the credit cap and what the client reported) and records now as its last
// activity, in lc's transaction, within the user's learning window (learningWindow): no
// wall-clock second another session already counted.
func (a *ConversationsAPI) credit(ctx context.Context, lc *learningCtx, s *store.LearningSession, reported *int) error {
	floor, ceiling, err := learningWindow(ctx, lc.tx, a.cfg, s.UserID, lc.now)
	if err != nil {
		return err
	}
	secs, until := conversation.Credit(latest(s.CreditedUntil, floor), ceiling, a.cfg.LearningCreditCap, reported)
	s.ActiveSeconds += secs
	s.CreditedUntil = latest(s.CreditedUntil, until)
	if err := lc.tx.AdvanceLearningTime(ctx, s.UserID, s.CreditedUntil); err != nil {
		return err
	}
	if lc.now.After(s.LastActivityAt) {
		s.LastActivityAt = lc.now
	}
	return lc.tx.CreditLearningSession(ctx, s)
}

// learningWindow locks userID's learning time (the user's row) in tx and returns the stretch
// of wall-clock time a credit ending now may claim: from the instant up to which any of the
// user's sessions (chat, Live, XEL submissions; deleted ones too) already counted time, to now
// or the start of an active Live session, which counts that time itself. Wall-clock time is
// learning time once per user however many sessions claim it; the caller credits within the
// window and then advances the instant (store.AdvanceLearningTime). floor may be after
// ceiling: nothing is left to claim.
func learningWindow(ctx context.Context, tx *store.Store, cfg Config, userID string, now time.Time) (floor, ceiling time.Time, err error) {
	floor, err = tx.LockLearningTime(ctx, userID)
	if err != nil {
		return floor, now, err
	}
	ceiling = now
	switch ls, err := tx.ActiveLiveSession(ctx, userID); {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return floor, now, err
	case !live.Expired(ls.LastHeartbeatAt, now, cfg.LiveIdleTimeout) && ls.StartedAt.Before(ceiling):
		// A Live session past its idle timeout is charged up to its last heartbeat only (in
		// floor already), so the time since is free again.
		ceiling = ls.StartedAt
	}
	return floor, ceiling, nil
}

// latest is the later of two instants.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// StartLearningSession starts a session of the conversation, or returns the active one.
func (a *ConversationsAPI) StartLearningSession(ctx context.Context, req api.StartLearningSessionRequestObject) (api.StartLearningSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out *store.LearningSession
	err = a.learningTx(ctx, p, req.ConversationId.String(), func(lc *learningCtx) error {
		if s := lc.latest; s != nil && s.Status == store.LearningActive {
			out = s
			return nil
		}
		out = &store.LearningSession{ConversationID: lc.conv.ID, UserID: lc.conv.UserID}
		return lc.tx.CreateLearningSession(ctx, out)
	})
	if err != nil {
		return nil, err
	}
	return api.StartLearningSession200JSONResponse(a.sessionResponse(out)), nil
}

// RecordLearningActivity credits the active session's time since the previous activity.
func (a *ConversationsAPI) RecordLearningActivity(ctx context.Context, req api.RecordLearningActivityRequestObject) (api.RecordLearningActivityResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var reported *int
	if req.Body != nil {
		reported = req.Body.ActiveSeconds
	}
	var out *store.LearningSession
	err = a.learningTx(ctx, p, req.ConversationId.String(), func(lc *learningCtx) error {
		s := lc.latest
		switch {
		case s == nil:
			return errLearningSessionMissing
		case s.Status != store.LearningActive && deref(s.EndReason) == store.LearningReasonIdleTimeout:
			return errLearningSessionExpired
		case s.Status != store.LearningActive:
			return errLearningSessionEnded
		}
		out = s
		return a.credit(ctx, lc, s, reported)
	})
	if err != nil {
		return nil, err
	}
	return api.RecordLearningActivity200JSONResponse(a.sessionResponse(out)), nil
}

// EndLearningSession ends the active session, crediting the time since its last activity (up
// to the cap), and records its time once. A session already over is returned as it is.
func (a *ConversationsAPI) EndLearningSession(ctx context.Context, req api.EndLearningSessionRequestObject) (api.EndLearningSessionResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var out *store.LearningSession
	err = a.learningTx(ctx, p, req.ConversationId.String(), func(lc *learningCtx) error {
		s := lc.latest
		if s == nil {
			return errLearningSessionMissing
		}
		out = s
		if s.Status != store.LearningActive {
			return nil
		}
		if err := a.credit(ctx, lc, s, nil); err != nil {
			return err
		}
		return closeLearningSession(ctx, a.ledger, lc.tx, s, store.LearningReasonEnded, lc.now)
	})
	if err != nil {
		return nil, err
	}
	return api.EndLearningSession200JSONResponse(a.sessionResponse(out)), nil
}

// GetLearningSessionStatus returns the conversation's latest session. It is a plain read unless
// the session is active past its idle timeout: then it closes it first, as any write would.
func (a *ConversationsAPI) GetLearningSessionStatus(ctx context.Context, req api.GetLearningSessionStatusRequestObject) (api.GetLearningSessionStatusResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	c, err := a.conversationOf(ctx, p, req.ConversationId.String())
	if err != nil {
		return nil, err
	}
	s, err := a.store.LatestLearningSession(ctx, c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errLearningSessionMissing
	}
	if err != nil {
		return nil, err
	}
	if s.Status == store.LearningActive && conversation.Expired(s.LastActivityAt, a.now(), a.cfg.LearningIdleTimeout) {
		err = a.learningTx(ctx, p, c.ID, func(lc *learningCtx) error {
			s = lc.latest
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return api.GetLearningSessionStatus200JSONResponse(a.sessionResponse(s)), nil
}

func (a *ConversationsAPI) sessionResponse(s *store.LearningSession) api.LearningSessionResponse {
	r := api.LearningSessionResponse{
		SessionId: uuidOf(s.ID), ConversationId: uuidOf(s.ConversationID), Status: api.LearningSessionResponseStatus(s.Status),
		StartedAt: s.StartedAt, LastActivityAt: s.LastActivityAt, EndedAt: nullableOf(s.EndedAt),
		EndReason: nullable.NewNullNullable[api.LearningSessionResponseEndReason](), ExpiresAt: nullable.NewNullNullable[time.Time](),
		ActiveSeconds:      int(s.ActiveSeconds),
		CreditCapSeconds:   int(a.cfg.LearningCreditCap / time.Second),
		IdleTimeoutSeconds: int(a.cfg.LearningIdleTimeout / time.Second),
	}
	if s.EndReason != nil {
		r.EndReason = nullable.NewNullableWithValue(api.LearningSessionResponseEndReason(*s.EndReason))
	}
	if s.Status == store.LearningActive {
		r.ExpiresAt = nullable.NewNullableWithValue(s.LastActivityAt.Add(a.cfg.LearningIdleTimeout))
	}
	return r
}

// learningSweepBatch bounds the sessions one sweep closes (one short transaction).
const learningSweepBatch = 200

// learningSweep is the maintenance job closing sessions left idle past the timeout by
// learners who never come back, so their time reaches the ledger on time. Correctness does not
// depend on it: the next request touching the conversation would close the session the same
// way. Conversations held by a request in flight are skipped (IdleLearningSessions); the
// others are re-read under their lock before closing.
func learningSweep(cfg Config, st *store.Store) Job {
	l := ledger.New(st)
	return Job{Name: "expire-learning-sessions", Every: time.Minute, Run: func(ctx context.Context, tx *store.Store) (int64, error) {
		now := tx.Now()
		idle, err := tx.IdleLearningSessions(ctx, now.Add(-cfg.LearningIdleTimeout), learningSweepBatch)
		if err != nil {
			return 0, err
		}
		var n int64
		for _, cand := range idle {
			s, err := tx.LatestLearningSession(ctx, cand.ConversationID)
			if err != nil {
				return n, err
			}
			if s.Status != store.LearningActive || !conversation.Expired(s.LastActivityAt, now, cfg.LearningIdleTimeout) {
				continue
			}
			if err := closeLearningSession(ctx, l, tx, s, store.LearningReasonIdleTimeout, s.LastActivityAt); err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}}
}
