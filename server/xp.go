package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// XPAPI implements profile and analytics: XP, levels, streaks, quests and learning time.
type XPAPI struct{ *deps }

// GetXPProfile answers 501 until its area lands.
func (a *XPAPI) GetXPProfile(ctx context.Context, request api.GetXPProfileRequestObject) (api.GetXPProfileResponseObject, error) {
	return nil, errNotImplemented
}

// GetPublicProfile answers 501 until its area lands.
func (a *XPAPI) GetPublicProfile(ctx context.Context, request api.GetPublicProfileRequestObject) (api.GetPublicProfileResponseObject, error) {
	return nil, errNotImplemented
}

// GetStreakStatus answers 501 until its area lands.
func (a *XPAPI) GetStreakStatus(ctx context.Context, request api.GetStreakStatusRequestObject) (api.GetStreakStatusResponseObject, error) {
	return nil, errNotImplemented
}

// GetWeeklyActivity answers 501 until its area lands.
func (a *XPAPI) GetWeeklyActivity(ctx context.Context, request api.GetWeeklyActivityRequestObject) (api.GetWeeklyActivityResponseObject, error) {
	return nil, errNotImplemented
}

// GetLearningPulse answers 501 until its area lands.
func (a *XPAPI) GetLearningPulse(ctx context.Context, request api.GetLearningPulseRequestObject) (api.GetLearningPulseResponseObject, error) {
	return nil, errNotImplemented
}

// GetDailyQuests answers 501 until its area lands.
func (a *XPAPI) GetDailyQuests(ctx context.Context, request api.GetDailyQuestsRequestObject) (api.GetDailyQuestsResponseObject, error) {
	return nil, errNotImplemented
}

// GetLearningTime answers 501 until its area lands.
func (a *XPAPI) GetLearningTime(ctx context.Context, request api.GetLearningTimeRequestObject) (api.GetLearningTimeResponseObject, error) {
	return nil, errNotImplemented
}
