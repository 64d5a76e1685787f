package progress

// Session XP: a conversation's learning session or a Live session earns XP for its active time.
const (
	// SessionXPPerMinute is earned for each full minute of active time.
	SessionXPPerMinute = 2
	// SessionXPCap bounds one session's XP (reached at 30 active minutes), so leaving a session
	// open cannot farm XP.
	SessionXPCap = 60
)

// SessionXP is the XP a session with activeSeconds of active time earns.
func SessionXP(activeSeconds int64) int {
	return int(min(max(activeSeconds, 0)/60*SessionXPPerMinute, SessionXPCap))
}
