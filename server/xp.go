package server

import (
	"time"

	"context"
	"errors"
	"net/http"
	"strconv"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/civil"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// XPAPI implements profile and analytics: XP, levels, streaks, quests and learning time, all
// read through the ledger (internal/ledger) in the caller's current timezone.
type XPAPI struct{ *deps }

// errProfileNotFound is the one answer for unknown, disabled and private profiles alike.
var errProfileNotFound = notFoundError("Profile")

// caller is the authenticated user (its timezone places "today").
func caller(ctx context.Context) (*store.User, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return p.User, nil
}

// GetXPProfile returns the caller's level, streaks, booster, today's XP and tokens.
func (a *XPAPI) GetXPProfile(ctx context.Context, _ api.GetXPProfileRequestObject) (api.GetXPProfileResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	p, err := a.ledger.Profile(ctx, u.ID, civil.Zone(u.Timezone))
	if err != nil {
		return nil, err
	}
	booster := nullableOf[api.XPBooster](nil)
	if b := p.Booster; b != nil {
		booster.Set(api.XPBooster{Multiplier: float32(b.Multiplier()), EndsAt: b.EndsAt})
	}
	t := p.TodayTotals
	return api.GetXPProfile200JSONResponse{
		Level: p.Level.Level, TotalXp: int(p.Level.TotalXP), XpIntoLevel: int(p.Level.IntoLevel),
		XpForNextLevel: int(p.Level.ForNext), ProgressPercent: float32(p.Level.Percent),
		CurrentStreak: p.Streak.Current, LongestStreak: p.Streak.Longest, Booster: booster,
		Today:        api.TodayXP{Total: int(t.XP), Segments: int(t.XPSegment), Quizzes: int(t.XPQuiz), Rewards: int(t.XPReward)},
		TokenBalance: int(p.Tokens),
	}, nil
}

// GetPublicProfile returns the public-safe part of a user's progress (no authentication).
func (a *XPAPI) GetPublicProfile(ctx context.Context, req api.GetPublicProfileRequestObject) (api.GetPublicProfileResponseObject, error) {
	// Anyone may ask, so reads are counted per client address: walking usernames costs time.
	if err := a.throttleClient(ctx, "public_profile", a.cfg.PublicProfileIPLimit, time.Minute); err != nil {
		return nil, err
	}
	u, err := a.store.UserByUsername(ctx, req.Username)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!u.PublicProfile || u.DisabledAt != nil) {
		return nil, errProfileNotFound
	}
	if err != nil {
		return nil, err
	}
	loc := civil.Zone(u.Timezone)
	st, err := a.ledger.Standing(ctx, u.ID, loc)
	if err != nil {
		return nil, err
	}
	return api.GetPublicProfile200JSONResponse{
		Username: u.Username, FullName: nullableOf(u.FullName), AvatarUrl: nullableOf(u.AvatarURL),
		Level: st.Level.Level, TotalXp: int(st.Level.TotalXP),
		CurrentStreak: st.Streak.Current, LongestStreak: st.Streak.Longest,
		MemberSince: date(civil.Of(u.CreatedAt, loc)),
	}, nil
}

// GetStreakStatus returns the caller's streak as of today in their timezone.
func (a *XPAPI) GetStreakStatus(ctx context.Context, _ api.GetStreakStatusRequestObject) (api.GetStreakStatusResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	st, err := a.ledger.Standing(ctx, u.ID, civil.Zone(u.Timezone))
	if err != nil {
		return nil, err
	}
	s := st.Streak
	last := nullableOf[openapi_types.Date](nil)
	if s.HasActivity {
		last.Set(date(s.LastActive))
	}
	return api.GetStreakStatus200JSONResponse{
		CurrentStreak: s.Current, LongestStreak: s.Longest, FreezesAvailable: s.FreezesAvailable,
		FreezesUsed: s.FreezesUsed, LastActivity: last, StreakAtRisk: s.AtRisk,
	}, nil
}

// GetWeeklyActivity returns the caller's current Sunday–Saturday week.
func (a *XPAPI) GetWeeklyActivity(ctx context.Context, _ api.GetWeeklyActivityRequestObject) (api.GetWeeklyActivityResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	w, err := a.ledger.Week(ctx, u.ID, civil.Zone(u.Timezone))
	if err != nil {
		return nil, err
	}
	out := api.GetWeeklyActivity200JSONResponse{WeekStart: date(w.Start), WeekEnd: date(w.End), Timezone: u.Timezone,
		TotalXp: int(w.TotalXP), Days: make([]api.WeeklyActivityDay, len(w.Days)), FreezeCoveredDates: dates(w.FreezeCovered)}
	for i, d := range w.Days {
		out.Days[i] = api.WeeklyActivityDay{Date: date(d.Date), Xp: int(d.XP), FreezeCovered: d.FreezeCovered}
	}
	return out, nil
}

// GetLearningPulse returns the caller's 365-day heatmap ending today.
func (a *XPAPI) GetLearningPulse(ctx context.Context, _ api.GetLearningPulseRequestObject) (api.GetLearningPulseResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	p, err := a.ledger.Pulse(ctx, u.ID, civil.Zone(u.Timezone))
	if err != nil {
		return nil, err
	}
	return pulseResponse(p), nil
}

// pulseResponse writes api.LearningPulseResponse by hand: the generated types marshal every
// date through a method call and reflection, which on 365 entries was most of the route's CPU.
// Same JSON (the harness validates every response against the spec).
type pulseResponse ledger.Pulse

var _ api.GetLearningPulseResponseObject = pulseResponse{}

// VisitGetLearningPulseResponse writes the 200 response.
func (p pulseResponse) VisitGetLearningPulseResponse(w http.ResponseWriter) error {
	b := make([]byte, 0, 128+len(p.Days)*72)
	b = append(b, `{"start_date":"`...)
	b = append(p.Start.AppendText(b), `","end_date":"`...)
	b = append(p.End.AppendText(b), `","days":[`...)
	for i, d := range p.Days {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"date":"`...)
		b = append(d.Date.AppendText(b), `","xp":`...)
		b = append(strconv.AppendInt(b, d.XP, 10), `,"active_seconds":`...)
		b = append(strconv.AppendInt(b, d.ActiveSeconds, 10), `,"intensity":`...)
		b = append(strconv.AppendInt(b, int64(d.Intensity), 10), '}')
	}
	b = append(b, `],"total_xp":`...)
	b = append(strconv.AppendInt(b, p.TotalXP, 10), `,"active_days":`...)
	b = append(strconv.AppendInt(b, int64(p.ActiveDays), 10), "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}

// GetDailyQuests returns the caller's three quests of today with their progress.
func (a *XPAPI) GetDailyQuests(ctx context.Context, _ api.GetDailyQuestsRequestObject) (api.GetDailyQuestsResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	q, err := a.ledger.Quests(ctx, u.ID, civil.Zone(u.Timezone))
	if err != nil {
		return nil, err
	}
	out := api.GetDailyQuests200JSONResponse{Date: date(q.Date), AllCompleted: q.AllCompleted, Quests: make([]api.QuestItem, len(q.Quests))}
	for i, s := range q.Quests {
		out.Quests[i] = api.QuestItem{Id: s.ID, Key: s.Key, Title: s.Title, Description: s.Description,
			Target: s.Target, Progress: s.Progress, Completed: s.Completed, RewardXp: s.RewardXP, RewardTokens: progress.TokensPerQuest}
	}
	return out, nil
}

// GetLearningTime returns the caller's learning time per day and per source over a range of
// local dates (the last 30 days by default).
func (a *XPAPI) GetLearningTime(ctx context.Context, req api.GetLearningTimeRequestObject) (api.GetLearningTimeResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	today := progress.Today(a.now(), civil.Zone(u.Timezone))
	from, to, err := progress.DateRange(today, civilOf(req.Params.StartDate), civilOf(req.Params.EndDate))
	if err != nil {
		return nil, &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "Invalid date range: " + err.Error(),
			Fields: []api.FieldError{{Location: api.Query, Field: "start_date", Message: err.Error()}}}
	}
	lt, err := a.ledger.LearningTime(ctx, u.ID, from, to)
	if err != nil {
		return nil, err
	}
	out := api.GetLearningTime200JSONResponse{StartDate: date(lt.Start), EndDate: date(lt.End),
		TotalSeconds: int(lt.TotalSeconds), Daily: make([]api.LearningTimeDay, len(lt.Daily))}
	for i, d := range lt.Daily {
		out.Daily[i] = api.LearningTimeDay{Date: date(d.Date), Seconds: int(d.Seconds)}
	}
	out.BySource.ChatSession = int(lt.BySource[ledger.SourceChatSession])
	out.BySource.LiveSession = int(lt.BySource[ledger.SourceLiveSession])
	out.BySource.XelTask = int(lt.BySource[ledger.SourceXELTask])
	out.BySource.XelEvaluation = int(lt.BySource[ledger.SourceXELEvaluation])
	return out, nil
}

// date maps a civil date to the API's date type.
func date(d civil.Date) openapi_types.Date { return openapi_types.Date{Time: d.UTCMidnight()} }

func dates(ds []civil.Date) []openapi_types.Date {
	out := make([]openapi_types.Date, len(ds))
	for i, d := range ds {
		out[i] = date(d)
	}
	return out
}

// civilOf maps an optional query date (nil stays nil).
func civilOf(d *openapi_types.Date) *civil.Date {
	if d == nil {
		return nil
	}
	v := civil.New(d.Date())
	return &v
}
