package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
)

// The harness validates every response against openapi.yaml; for text/event-stream it decodes
// the body with decodeEventStream, which holds each stream to the documented format: deltas,
// then exactly one done (a ChatResponse) or error (an Error body), last.
func init() {
	openapi3filter.RegisterBodyDecoder("text/event-stream", decodeEventStream)
}

// sseEvent is one server-sent event: its name and its one data line.
type sseEvent struct {
	Event string
	Data  json.RawMessage
}

// parseEvents splits a stream into events, refusing anything but "event:" and one "data:" line
// of JSON per event, blank-line separated.
func parseEvents(body string) ([]sseEvent, error) {
	var out []sseEvent
	for _, block := range strings.Split(strings.TrimSuffix(body, "\n\n"), "\n\n") {
		if block == "" {
			continue
		}
		lines := strings.Split(block, "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "event: ") || !strings.HasPrefix(lines[1], "data: ") {
			return nil, fmt.Errorf("malformed event %q", block)
		}
		data := strings.TrimPrefix(lines[1], "data: ")
		if !json.Valid([]byte(data)) {
			return nil, fmt.Errorf("event data is not JSON: %q", data)
		}
		out = append(out, sseEvent{Event: strings.TrimPrefix(lines[0], "event: "), Data: json.RawMessage(data)})
	}
	return out, nil
}

// checkEvents holds a whole stream to the documented event sequence and schemas.
func checkEvents(events []sseEvent) error {
	if len(events) == 0 {
		return errors.New("empty stream")
	}
	for i, ev := range events {
		last := i == len(events)-1
		var schema string
		switch {
		case ev.Event == "delta" && !last:
			dec := json.NewDecoder(bytes.NewReader(ev.Data))
			dec.DisallowUnknownFields()
			var d struct {
				Content *string `json:"content"`
			}
			if err := dec.Decode(&d); err != nil || d.Content == nil {
				return fmt.Errorf("delta %s: want {\"content\": string}", ev.Data)
			}
			continue
		case ev.Event == "done" && last:
			schema = "ChatResponse"
		case ev.Event == "error" && last:
			schema = "Error"
		default:
			return fmt.Errorf("event %d of %d is %q", i+1, len(events), ev.Event)
		}
		var v any
		_ = json.Unmarshal(ev.Data, &v)
		if err := testSpec.Components.Schemas[schema].Value.VisitJSON(v); err != nil {
			return fmt.Errorf("%s event does not match %s: %w", ev.Event, schema, err)
		}
	}
	return nil
}

func decodeEventStream(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	events, err := parseEvents(string(b))
	if err == nil {
		err = checkEvents(events)
	}
	return string(b), err
}

var acceptEvents = header{"Accept", "text/event-stream"}

// streamChat sends a streaming chat through the harness and returns its events (status 200
// and the event-stream content type required).
func (h *harness) streamChat(u *user, body map[string]any) []sseEvent {
	h.t.Helper()
	r := h.chat(u, body, acceptEvents).expect(h.t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "text/event-stream" {
		h.t.Fatalf("content type %q", ct)
	}
	events, err := parseEvents(string(r.Body))
	if err != nil {
		h.t.Fatal(err)
	}
	return events
}

// replyOf concatenates the deltas and decodes the final event's data into done (a ChatResponse
// or an Error).
func replyOf(t testing.TB, events []sseEvent, done any) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range events[:len(events)-1] {
		var d chatDeltaData
		decodeJSON(t, ev.Data, &d)
		b.WriteString(d.Content)
	}
	decodeJSON(t, events[len(events)-1].Data, done)
	return b.String()
}

type chatDeltaData struct {
	Content string `json:"content"`
}

// TestChatStream: through the harness (every stream validated as documented): the offline
// tutor streams word by word, an upstream stream keeps its pieces and usage, the final event
// carries the stored message; auto falls back before the first piece; a failure before the
// first piece is the JSON error with its status, after it the stream's error event, and
// nothing is stored.
func TestChatStream(t *testing.T) {
	rep := &scripted{}
	llm := newFakeLLM(t, rep.get)
	eachDB(t, func(t *testing.T, h *harness) {
		h.serverFaultsExpected = true // the 502 before the first piece
		u := h.newUser("stream")
		c := h.createConversation(u, map[string]any{"provider": "offline"})
		events := h.streamChat(u, map[string]any{"message": "What does 'actually' mean?", "conversation_id": c.Id})
		var done api.ChatResponse
		text := replyOf(t, events, &done)
		ms := h.messages(u, c.Id.String(), "")
		if len(events) < 10 || text != done.Content || len(ms) != 2 || ms[1].Content != text || ms[1].Id != done.MessageId.MustGet() ||
			done.Provider != ai.OfflineName || !done.Usage.IsNull() || !strings.Contains(text, "in fact, really") {
			t.Fatalf("%d events, reply %q, done %+v, stored %s", len(events), text, done, transcript(ms))
		}

		rep.set(llmReply{Deltas: []string{"The past ", "perfect ", "is had + participle."}})
		events = h.streamChat(u, map[string]any{"message": "past perfect?"})
		text = replyOf(t, events, &done)
		if len(events) != 4 || text != "The past perfect is had + participle." || done.Content != text || done.Provider != "openai" ||
			done.Usage.MustGet().TotalTokens != 40 || !done.ConversationId.IsNull() {
			t.Fatalf("upstream stream: %d events %q %+v", len(events), text, done)
		}

		rep.set(llmReply{Status: 500})
		events = h.streamChat(u, map[string]any{"message": "What does 'actually' mean?"})
		if replyOf(t, events, &done); done.Provider != ai.OfflineName {
			t.Fatalf("no fallback before the first piece: %+v", done)
		}
		r := h.chat(u, map[string]any{"message": "hello", "provider": "openai"}, acceptEvents).expect(t, 502)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" || r.errorBody(t).Error != "provider_error" {
			t.Fatalf("failure before the first piece: %s %s", ct, r.Body)
		}
	}, llm.option())
}

// TestChatStreamBrokenUpstream: an upstream that breaks off after its first piece ends the
// stream with an error event (logged, since HandleError never sees it); nothing is stored.
func TestChatStreamBrokenUpstream(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		writeChunk(w, "Half an ans")
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(broken.Close)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("broken")
		c := h.createConversation(u, nil)
		events := h.streamChat(u, map[string]any{"message": "Tell me everything", "conversation_id": c.Id})
		var e api.Error
		if text := replyOf(t, events, &e); text != "Half an ans" || events[len(events)-1].Event != "error" || e.Detail.Error != "provider_error" {
			t.Fatalf("broken stream: %q then %+v", text, e)
		}
		if n := h.countRows("conversation_messages", "conversation_id = ?", c.Id.String()); n != 0 {
			t.Fatalf("a broken reply stored %d messages", n)
		}
		if !strings.Contains(h.logs.String(), "chat stream failed") {
			t.Fatal("the failure after the first piece was not logged")
		}
	}, fakeUpstream(broken.URL))
}

// fakeUpstream points the OpenAI-compatible provider at url (an httptest server of the test).
func fakeUpstream(url string) option {
	return (&fakeLLM{srv: &httptest.Server{URL: url}}).option()
}

// writeChunk sends one OpenAI chat-completion chunk carrying text and flushes it.
func writeChunk(w http.ResponseWriter, text string) {
	fmt.Fprintf(w, `data: {"id":"c1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`+"\n\n", text)
	w.(http.Flusher).Flush()
}

// gatedUpstream streams "one " at once, then waits: "two" and the end when release is closed,
// or the client's cancellation, which it reports by closing canceled.
type gatedUpstream struct {
	srv      *httptest.Server
	release  chan struct{}
	canceled chan struct{}
}

func newGatedUpstream(t *testing.T) *gatedUpstream {
	g := &gatedUpstream{release: make(chan struct{}), canceled: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		writeChunk(w, "one ")
		select {
		case <-g.release:
			writeChunk(w, "two")
			fmt.Fprint(w, "data: [DONE]\n\n")
		case <-r.Context().Done():
			close(g.canceled)
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// readEvent reads the next event from a live stream.
func readEvent(t *testing.T, rd *bufio.Reader) sseEvent {
	t.Helper()
	var block strings.Builder
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("stream ended: %v (read %q)", err, block.String())
		}
		if line == "\n" {
			break
		}
		block.WriteString(line)
	}
	events, err := parseEvents(block.String() + "\n")
	if err != nil || len(events) != 1 {
		t.Fatalf("event %q: %v", block.String(), err)
	}
	return events[0]
}

// liveChat posts a streaming chat to a real HTTP server over the application.
func liveChat(t *testing.T, ctx context.Context, base string, u *user, body map[string]any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/core/chat", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+u.Access)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live stream answered %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return res
}

// TestChatStreamLive: over a real HTTP server, the first piece reaches the client while the
// upstream is still holding the second back (events are flushed, not buffered); the final event
// matches the stored message; a client that disconnects mid-stream ends the upstream request
// at once and nothing is stored.
func TestChatStreamLive(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		g := newGatedUpstream(t)
		h.restart(fakeUpstream(g.srv.URL))
		srv := httptest.NewServer(h.e)
		defer srv.Close()
		u := h.newUser("live")
		c := h.createConversation(u, nil)

		res := liveChat(t, t.Context(), srv.URL, u, map[string]any{"message": "Count", "conversation_id": c.Id})
		rd := bufio.NewReader(res.Body)
		if ev := readEvent(t, rd); ev.Event != "delta" || string(ev.Data) != `{"content":"one "}` {
			t.Fatalf("first event %+v", ev)
		}
		close(g.release) // only now does the upstream send the rest
		events := []sseEvent{{Event: "delta", Data: json.RawMessage(`{"content":"one "}`)}, readEvent(t, rd), readEvent(t, rd)}
		res.Body.Close()
		if err := checkEvents(events); err != nil {
			t.Fatal(err)
		}
		var done api.ChatResponse
		text := replyOf(t, events, &done)
		ms := h.messages(u, c.Id.String(), "")
		if text != "one two" || done.Content != text || len(ms) != 2 || ms[1].Content != text || ms[1].Id != done.MessageId.MustGet() {
			t.Fatalf("reply %q, done %+v, stored %s", text, done, transcript(ms))
		}

		// Disconnect after the first piece.
		g = newGatedUpstream(t)
		h.restart(fakeUpstream(g.srv.URL))
		srv2 := httptest.NewServer(h.e)
		defer srv2.Close()
		ctx, cancel := context.WithCancel(t.Context())
		res = liveChat(t, ctx, srv2.URL, u, map[string]any{"message": "Count again", "conversation_id": c.Id})
		rd = bufio.NewReader(res.Body)
		if ev := readEvent(t, rd); ev.Event != "delta" {
			t.Fatalf("first event %+v", ev)
		}
		cancel()
		res.Body.Close()
		select {
		case <-g.canceled:
		case <-time.After(5 * time.Second):
			t.Fatal("the upstream request was not cancelled when the client went away")
		}
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(h.logs.String(), `"path":"/api/core/chat"`) < 2 { // both handlers returned
			if time.Now().After(deadline) {
				t.Fatal("the handler did not finish")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if ms := h.messages(u, c.Id.String(), ""); len(ms) != 2 {
			t.Fatalf("an interrupted reply was stored: %s", transcript(ms))
		}
	})
}
