package main

// Settings of the tutor chat and its learning sessions (README, "Configuration").

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/xentree/xentree-api/server"
)

// chatSettings reads the chat limits and the learning-session timings; unset ones keep the
// server's defaults, and the server checks how they fit together.
func chatSettings(getenv func(string) string, cfg *server.Config) error {
	var errs []error
	for _, s := range []struct {
		key string
		dst *int
	}{
		{"XENTREE_CHAT_RATE_LIMIT", &cfg.ChatRateLimit},
		{"XENTREE_CHAT_MAX_MESSAGE_CHARS", &cfg.ChatMaxMessageChars},
		{"XENTREE_CHAT_HISTORY_TURNS", &cfg.ChatHistoryTurns},
		{"XENTREE_CHAT_HISTORY_CHARS", &cfg.ChatHistoryChars},
	} {
		v := strings.TrimSpace(getenv(s.key))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s must be a positive integer, got %q", s.key, v))
			continue
		}
		*s.dst = n
	}
	errs = append(errs, positiveSeconds(getenv, secondsKey{"XENTREE_LEARNING_CREDIT_CAP", &cfg.LearningCreditCap}, secondsKey{"XENTREE_LEARNING_IDLE_TIMEOUT", &cfg.LearningIdleTimeout})...)
	return errors.Join(errs...)
}
