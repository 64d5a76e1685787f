// Package progress holds the rules of the learning progress engine as pure functions: the
// level curve, XP boosters, tokens, streaks with freezes, daily quests, the learning-pulse
// scale and week bounds. Nothing here reads a clock or a database: callers pass "now", dates
// and the day's totals. docs/progress.md states every formula with worked examples.
package progress
