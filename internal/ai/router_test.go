package ai

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/clock"
)

var (
	t0         = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	unavailErr = &Error{Provider: "x", Status: 503, Err: errors.New("service unavailable")}
)

// fakeRouter routes over scripted providers (in auto order) and the real offline tutor.
func fakeRouter(t *testing.T, clk *clock.Manual, tweak func(*Config), fakes ...*fakeProvider) *Router {
	t.Helper()
	cfg := Config{Clock: clk, Timeout: time.Second, Cooldown: 30 * time.Second, FailureThreshold: 2}
	for _, f := range fakes {
		cfg.Order = append(cfg.Order, f.name)
	}
	if tweak != nil {
		tweak(&cfg)
	}
	cfg = cfg.withDefaults()
	var remote []*member
	for _, f := range fakes {
		remote = append(remote, &member{p: f, label: strings.ToUpper(f.name)})
	}
	off, err := newOffline(nil)
	if err != nil {
		t.Fatal(err)
	}
	return assemble(cfg, remote, &member{p: off, label: OfflineLabel, offline: true})
}

func frozen() *clock.Manual {
	c := clock.NewManual()
	c.Freeze(t0)
	return c
}

func ask(t *testing.T, p Provider) *Response {
	t.Helper()
	resp, err := p.Complete(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "Hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestRouterOrderAndOfflineLast(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	b := &fakeProvider{name: "b", models: []string{"b1"}}
	r := fakeRouter(t, frozen(), func(c *Config) { c.Order = []string{"b", "a"} }, a, b)
	auto := provider(t, r, "auto")
	if got := ask(t, auto).Provider; got != "b" {
		t.Fatalf("first choice %s, want b (the configured order)", got)
	}
	b.fail(unavailErr)
	if got := ask(t, auto).Provider; got != "a" {
		t.Fatalf("fallback %s, want a", got)
	}
	a.fail(unavailErr)
	resp := ask(t, auto)
	if resp.Provider != OfflineName || resp.Model != OfflineModel || resp.Content == "" || resp.Usage != nil {
		t.Fatalf("last resort %+v, want the offline tutor", resp)
	}
}

func TestRouterCooldown(t *testing.T) {
	clk := frozen()
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	b := &fakeProvider{name: "b", models: []string{"b1"}}
	r := fakeRouter(t, clk, nil, a, b)
	auto := provider(t, r, "auto")
	a.fail(unavailErr)

	ask(t, auto) // failure 1
	if !r.Infos()[1].Available {
		t.Fatal("one failure must not cool a provider down (threshold 2)")
	}
	ask(t, auto) // failure 2: cool-down
	if a.calls.Load() != 2 || r.Infos()[1].Available {
		t.Fatalf("calls %d, infos %+v", a.calls.Load(), r.Infos()[1])
	}
	for range 3 {
		if got := ask(t, auto).Provider; got != "b" {
			t.Fatalf("answered by %s", got)
		}
	}
	if a.calls.Load() != 2 {
		t.Fatalf("a was called %d times while cooling down", a.calls.Load())
	}
	clk.Advance(29 * time.Second)
	ask(t, auto)
	if a.calls.Load() != 2 {
		t.Fatal("a was tried before its cool-down ended")
	}
	clk.Advance(2 * time.Second)
	ask(t, auto) // tried again, fails: cools down again at once
	ask(t, auto)
	if a.calls.Load() != 3 {
		t.Fatalf("after the cool-down a was called %d times, want 1 try then skips", a.calls.Load()-2)
	}
	a.fail(nil)
	clk.Advance(31 * time.Second)
	if got := ask(t, auto).Provider; got != "a" {
		t.Fatalf("recovered provider not used: %s", got)
	}
	a.fail(unavailErr)
	ask(t, auto) // one failure after a success: the count restarted
	if !r.Infos()[1].Available {
		t.Fatal("a success must reset the failure count")
	}

	// A named provider is tried even while auto skips it: the caller chose it.
	ask(t, auto)
	if _, err := provider(t, r, "a").Complete(context.Background(), Request{}); !errors.Is(err, unavailErr) {
		t.Fatalf("named call: %v", err)
	}
}

func TestRouterCooldownDisabled(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	r := fakeRouter(t, frozen(), func(c *Config) { c.Cooldown = -1 }, a)
	a.fail(unavailErr)
	for range 5 {
		ask(t, provider(t, r, "auto"))
	}
	if a.calls.Load() != 5 {
		t.Fatalf("a called %d times, want every time", a.calls.Load())
	}
}

func TestRouter429RetryAfter(t *testing.T) {
	for _, tc := range []struct {
		retryAfter, skip time.Duration
	}{
		{5 * time.Second, 5 * time.Second},
		{time.Hour, 30 * time.Second}, // capped by the cool-down
	} {
		t.Run(tc.retryAfter.String(), func(t *testing.T) {
			clk := frozen()
			a := &fakeProvider{name: "a", models: []string{"a1"}}
			r := fakeRouter(t, clk, func(c *Config) { c.FailureThreshold = 5 }, a)
			a.fail(&Error{Provider: "a", Status: 429, RetryAfter: tc.retryAfter, Err: errors.New("too many requests")})
			ask(t, provider(t, r, "auto"))
			ask(t, provider(t, r, "auto"))
			if a.calls.Load() != 1 {
				t.Fatal("a 429 with Retry-After must skip the provider")
			}
			clk.Advance(tc.skip - time.Second)
			ask(t, provider(t, r, "auto"))
			if a.calls.Load() != 1 {
				t.Fatal("skipped for less than Retry-After")
			}
			clk.Advance(2 * time.Second)
			ask(t, provider(t, r, "auto"))
			if a.calls.Load() != 2 {
				t.Fatal("still skipped after Retry-After")
			}
		})
	}
}

// A request-specific 4xx falls back but says nothing about the provider's health.
func TestRouterHarmlessFailure(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	b := &fakeProvider{name: "b", models: []string{"b1"}}
	r := fakeRouter(t, frozen(), nil, a, b)
	a.fail(&Error{Provider: "a", Status: 400, Err: errors.New("bad request")})
	for range 5 {
		if got := ask(t, provider(t, r, "auto")).Provider; got != "b" {
			t.Fatalf("answered by %s", got)
		}
	}
	if a.calls.Load() != 5 {
		t.Fatalf("a called %d times: a 400 must not cool it down", a.calls.Load())
	}
}

func TestRouterRemote(t *testing.T) {
	if r, err := NewRouter(Config{}, nil); err != nil || r.Remote() != nil {
		t.Fatalf("no remote provider configured: Remote() = %v, %v", r.Remote(), err)
	}
	clk := frozen()
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	b := &fakeProvider{name: "b", models: []string{"b1"}}
	r := fakeRouter(t, clk, nil, a, b)
	remote := r.Remote()
	if got := ask(t, remote).Provider; got != "a" {
		t.Fatalf("remote answered by %s", got)
	}
	a.fail(unavailErr)
	b.fail(&Error{Provider: "b", Status: 429, RetryAfter: 3 * time.Second, Err: errors.New("slow down")})
	_, err := remote.Complete(context.Background(), Request{JSON: true})
	var e *Error
	if !errors.Is(err, ErrAllFailed) || !errors.As(err, &e) || e.Provider != "b" || e.RetryAfter != 3*time.Second {
		t.Fatalf("err = %v, want ErrAllFailed wrapping b's 429", err)
	}
	ask(t, provider(t, r, "auto")) // a's second failure: cooling; b skipped for 3s
	_, err = remote.Complete(context.Background(), Request{})
	if !errors.Is(err, ErrAllFailed) || !errors.Is(err, ErrCoolingDown) || !errors.As(err, &e) || e.RetryAfter <= 0 {
		t.Fatalf("err = %v, want ErrAllFailed wrapping a cool-down with its remaining time", err)
	}
}

func TestRouterModels(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"m1", "m2"}}
	b := &fakeProvider{name: "b", models: []string{"m3", "m1"}}
	r := fakeRouter(t, frozen(), nil, a, b)
	resp, err := provider(t, r, "auto").Complete(context.Background(), Request{Model: "m3"})
	if err != nil || resp.Provider != "b" || resp.Model != "m3" || a.calls.Load() != 0 {
		t.Fatalf("auto with a model only b offers: %+v %v (a called %d)", resp, err, a.calls.Load())
	}
	for _, tc := range []struct {
		provider, model string
		want            error
	}{
		{"", "", nil},
		{"auto", "", nil},
		{"auto", "m3", nil},
		{"auto", OfflineModel, nil},
		{"auto", "gpt-9", ErrUnknownModel},
		{"a", "m2", nil},
		{"a", "m3", ErrUnknownModel},
		{"offline", OfflineModel, nil},
		{"offline", "m1", ErrUnknownModel},
		{"nope", "", ErrUnknownProvider},
		{"Auto", "", ErrUnknownProvider},
	} {
		if err := r.ValidateModel(tc.provider, tc.model); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("ValidateModel(%q, %q) = %v, want %v", tc.provider, tc.model, err, tc.want)
		}
	}
	if _, err := provider(t, r, "a").Complete(context.Background(), Request{Model: "m3"}); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("named provider with a foreign model: %v", err)
	}
	if _, err := r.Provider("nope"); !errors.Is(err, ErrUnknownProvider) {
		t.Errorf("Provider(nope) = %v", err)
	}
}

func TestInfos(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"m1", "m2"}}
	b := &fakeProvider{name: "b", models: []string{"m3", "m1"}}
	c := &fakeProvider{name: "c", models: []string{"c1"}} // configured, not in auto's order
	r := fakeRouter(t, frozen(), func(cfg *Config) { cfg.Order = []string{"a", "b"} }, a, b, c)
	want := []Info{
		{ID: "auto", Name: "Automatic", Available: true, Models: []string{"m1", "m2", "m3", OfflineModel}, DefaultModel: "m1"},
		{ID: "a", Name: "A", Available: true, Models: []string{"m1", "m2"}, DefaultModel: "m1"},
		{ID: "b", Name: "B", Available: true, Models: []string{"m3", "m1"}, DefaultModel: "m3"},
		{ID: "c", Name: "C", Available: true, Models: []string{"c1"}, DefaultModel: "c1"},
		{ID: "offline", Name: OfflineLabel, Available: true, Models: []string{OfflineModel}, DefaultModel: OfflineModel},
	}
	if got := r.Infos(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Infos:\n got %+v\nwant %+v", got, want)
	}
	a.fail(unavailErr)
	ask(t, provider(t, r, "auto"))
	ask(t, provider(t, r, "auto"))
	got := r.Infos()
	if got[1].Available || got[0].DefaultModel != "m3" || !got[0].Available {
		t.Fatalf("with a cooling down: %+v", got[:2])
	}
	if got := provider(t, r, "auto").Models(); slices.Contains(got, "c1") {
		t.Errorf("auto offers c's model though it never routes to c: %v", got)
	}

	// A fresh clone: nothing configured, the offline tutor answers.
	r0, err := NewRouter(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	infos := r0.Infos()
	if len(infos) != 2 || infos[0].ID != "auto" || infos[1].ID != "offline" || infos[0].DefaultModel != OfflineModel {
		t.Fatalf("fresh Infos = %+v", infos)
	}
	if got := ask(t, provider(t, r0, "auto")); got.Provider != OfflineName {
		t.Fatalf("fresh auto answered by %s", got.Provider)
	}
}

// slowStream emits deltas at a steady pace, or stalls after the first.
type slowStream struct {
	fakeProvider
	every time.Duration
	n     int
	stall bool
}

func (s *slowStream) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	s.calls.Add(1)
	var text strings.Builder
	for i := range s.n {
		wait := s.every
		if s.stall && i == 1 {
			wait = time.Hour
		}
		select {
		case <-ctx.Done():
			return nil, &Error{Provider: s.name, Err: ctx.Err()}
		case <-time.After(wait):
		}
		d := fmt.Sprintf("w%d ", i)
		text.WriteString(d)
		if err := onDelta(d); err != nil {
			return nil, err
		}
	}
	return &Response{Provider: s.name, Model: s.models[0], Content: text.String()}, nil
}

// The stream timeout bounds silence, not the length of a steady stream.
func TestStreamIdleTimeout(t *testing.T) {
	steady := &slowStream{fakeProvider: fakeProvider{name: "a", models: []string{"a1"}}, every: 60 * time.Millisecond, n: 8}
	r := fakeRouter(t, frozen(), func(c *Config) { c.Timeout = 200 * time.Millisecond }, &steady.fakeProvider)
	r.byName["a"].p = steady
	resp, err := provider(t, r, "a").Stream(context.Background(), Request{}, func(string) error { return nil })
	if err != nil || resp.Content != "w0 w1 w2 w3 w4 w5 w6 w7 " {
		t.Fatalf("steady 480 ms stream under a 200 ms timeout: %v %+v", err, resp)
	}

	stalled := &slowStream{fakeProvider: fakeProvider{name: "a", models: []string{"a1"}}, every: 10 * time.Millisecond, n: 3, stall: true}
	r.byName["a"].p = stalled
	var got []string
	_, err = provider(t, r, "auto").Stream(context.Background(), Request{}, func(d string) error { got = append(got, d); return nil })
	var e *Error
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &e) || e.Provider != "a" || len(got) != 1 {
		t.Fatalf("stalled stream: err %v, deltas %q (no fallback after a delta)", err, got)
	}
}

func TestRouterConcurrent(t *testing.T) {
	a := &fakeProvider{name: "a", models: []string{"a1"}}
	b := &fakeProvider{name: "b", models: []string{"b1"}}
	r := fakeRouter(t, clock.NewManual(), nil, a, b)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 20 {
				if (i+j)%3 == 0 {
					a.fail(unavailErr)
				} else {
					a.fail(nil)
				}
				p := provider(t, r, "auto")
				if _, err := p.Stream(context.Background(), Request{}, func(string) error { return nil }); err != nil {
					t.Error(err)
				}
				_ = r.Infos()
			}
		})
	}
	wg.Wait()
}
