package progress

// Session XP: a conversation's learning session or a Live session earns XP for its active time.
const (
	// SessionXPPerMinute is earned for each full minute of active time.
	SessionXPPerMinute = 2
	// SessionXPCap bounds one session's XP (reached at 30 active minutes), so leaving a session
	// open cannot farm XP.
	SessionXPCap = 60
)

// MinFinishedSessionSeconds is the active time a session needs to count as finished (the
// "finish a session" quest): less is a session opened and closed, which must not farm the
// quest's reward and the day's streak.
const MinFinishedSessionSeconds = 60

// SessionFinished reports whether a session with activeSeconds of active time counts as finished.
func SessionFinished(activeSeconds int64) bool { return activeSeconds >= MinFinishedSessionSeconds }

// SessionXP is the XP a session with activeSeconds of active time earns.
func SessionXP(activeSeconds int64) int {
	return int(min(max(activeSeconds, 0)/60*SessionXPPerMinute, SessionXPCap))
}
