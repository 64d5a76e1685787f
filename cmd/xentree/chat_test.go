package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/server"
)

func TestChatSettings(t *testing.T) {
	for k, v := range map[string]string{
		"XENTREE_CHAT_RATE_LIMIT": "5", "XENTREE_CHAT_MAX_MESSAGE_CHARS": "4000", "XENTREE_CHAT_HISTORY_TURNS": "12",
		"XENTREE_CHAT_HISTORY_CHARS": "20000", "XENTREE_LEARNING_CREDIT_CAP": "90", "XENTREE_LEARNING_IDLE_TIMEOUT": "10m",
	} {
		t.Setenv(k, v)
	}
	var cfg server.Config
	if err := chatSettings(os.Getenv, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ChatRateLimit != 5 || cfg.ChatMaxMessageChars != 4000 || cfg.ChatHistoryTurns != 12 || cfg.ChatHistoryChars != 20000 ||
		cfg.LearningCreditCap != 90*time.Second || cfg.LearningIdleTimeout != 10*time.Minute {
		t.Fatalf("settings %+v", cfg)
	}
	for key, bad := range map[string]string{
		"XENTREE_CHAT_RATE_LIMIT": "0", "XENTREE_CHAT_HISTORY_TURNS": "many", "XENTREE_LEARNING_CREDIT_CAP": "0",
		"XENTREE_LEARNING_IDLE_TIMEOUT": "1.5s",
	} {
		t.Run(key, func(t *testing.T) {
			t.Setenv(key, bad)
			if err := chatSettings(os.Getenv, &server.Config{}); err == nil {
				t.Fatalf("%s=%s accepted", key, bad)
			}
		})
	}
	// Settings that do not fit together are refused with the rest of the configuration.
	for key, bad := range map[string]string{"XENTREE_CHAT_MAX_MESSAGE_CHARS": "32001", "XENTREE_LEARNING_IDLE_TIMEOUT": "60"} {
		t.Run("together/"+key, func(t *testing.T) {
			t.Setenv("XENTREE_DATABASE_URL", filepath.Join(t.TempDir(), "x.db"))
			t.Setenv(key, bad)
			if _, err := loadConfig("serve", os.Getenv); err == nil {
				t.Fatalf("%s=%s accepted", key, bad)
			}
		})
	}
}

// TestFreshCloneChats: the binary with no configuration at all (what `make run` starts on a
// fresh clone) registers a user, chats with the offline tutor in a conversation, JSON and
// streamed over its real HTTP server, and reads the conversation back.
func TestFreshCloneChats(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("XENTREE_DATABASE_URL", filepath.Join(dir, "data", "xentree.db"))
	t.Setenv("XENTREE_ADDR", addr)
	for _, k := range []string{"XENTREE_JWT_SECRET", "XENTREE_OPENAI_API_KEY", "XENTREE_OPENAI_BASE_URL", "XENTREE_ANTHROPIC_API_KEY"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, quietLog(), nil) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()

	base := "http://" + addr
	call := func(method, path, token string, body any, accept string) *http.Response {
		t.Helper()
		var rd io.Reader
		ctype := "application/json"
		switch b := body.(type) {
		case nil:
		case string:
			rd, ctype = strings.NewReader(b), "application/x-www-form-urlencoded"
		default:
			j, _ := json.Marshal(b)
			rd = bytes.NewReader(j)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", ctype)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		var res *http.Response
		for i := 0; i < 100; i++ { // the server may still be starting
			if res, err = http.DefaultClient.Do(req); err == nil {
				return res
			}
			time.Sleep(50 * time.Millisecond)
			if rd != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
		}
		t.Fatalf("%s %s: %v", method, path, err)
		return nil
	}
	decode := func(res *http.Response, want int, v any) {
		t.Helper()
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: %d %s", res.Request.Method, res.Request.URL.Path, res.StatusCode, b)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatal(err)
			}
		}
	}

	decode(call("GET", "/healthz", "", nil, ""), 200, nil)
	decode(call("POST", "/api/auth/register", "", map[string]string{"username": "ada", "email": "ada@example.com", "password": "correct-horse"}, ""), 201, nil)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	decode(call("POST", "/api/auth/login", "", "username=ada&password=correct-horse", ""), 200, &tok)
	var conv struct {
		ID string `json:"id"`
	}
	decode(call("POST", "/api/core/conversations", tok.AccessToken, map[string]string{}, ""), 201, &conv)
	var reply struct {
		Content, Provider, Model string
		MessageID                string `json:"message_id"`
	}
	decode(call("POST", "/api/core/chat", tok.AccessToken, map[string]string{"message": "What does 'actually' mean?", "conversation_id": conv.ID}, ""), 200, &reply)
	if reply.Provider != "offline" || reply.Model != "xentree-offline-tutor-1" || !strings.Contains(reply.Content, "in fact, really") {
		t.Fatalf("reply %+v", reply)
	}

	res := call("POST", "/api/core/chat", tok.AccessToken, map[string]string{"message": "Give me an exercise on the past simple", "conversation_id": conv.ID}, "text/event-stream")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var streamed strings.Builder
	var final string
	sc := bufio.NewScanner(res.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "delta":
			var d struct{ Content string }
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d)
			streamed.WriteString(d.Content)
		case strings.HasPrefix(line, "data: ") && event == "done":
			final = strings.TrimPrefix(line, "data: ")
		}
	}
	res.Body.Close()
	if !strings.Contains(streamed.String(), "___ (go)") || !strings.Contains(final, `"message_id"`) {
		t.Fatalf("streamed %q, final %s", streamed.String(), final)
	}

	var msgs []struct{ Role, Content string }
	decode(call("GET", "/api/core/conversations/"+conv.ID+"/messages", tok.AccessToken, nil, ""), 200, &msgs)
	if len(msgs) != 4 || msgs[0].Content != "What does 'actually' mean?" || msgs[1].Content != reply.Content || msgs[3].Content != streamed.String() {
		t.Fatalf("conversation read back: %+v", msgs)
	}
	var list []struct{ Title string }
	decode(call("GET", "/api/core/conversations", tok.AccessToken, nil, ""), 200, &list)
	if len(list) != 1 || list[0].Title != "What does 'actually' mean?" {
		t.Fatalf("list %+v", list)
	}
}
