package ai

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrCoolingDown: "auto" skipped the provider because it kept failing (the *Error's RetryAfter
// says for how much longer).
var ErrCoolingDown = errors.New("skipped while cooling down after repeated failures")

// Info describes one provider for GET /api/core/providers.
type Info struct {
	// ID is what callers pass as provider ("auto", "openai", "anthropic", "offline", ...).
	ID string
	// Name is the display name.
	Name string
	// Available is false while the provider is cooling down ("auto": while none is available).
	Available bool
	// Models callers may pass with this provider; for "auto", those of every provider it routes to.
	Models []string
	// DefaultModel is used when the caller names none ("auto": the default of the provider it
	// would try first now).
	DefaultModel string
}

// Router owns the configured providers. "auto" tries them in the configured order with the
// offline tutor last, falling back on any failure (errors, timeouts, 429s), and skips a provider
// for a cool-down after FailureThreshold consecutive failures.
//
// Health is kept in process memory on purpose: it is a per-replica hint about upstreams, not
// state that matters. Each replica learns it on its own within a few calls, and a wrong guess
// costs one fallback. Safe for concurrent use.
type Router struct {
	cfg     Config
	members []*member // every provider, in Infos order: auto's order, others, offline
	byName  map[string]*member
	auto    *route
	remote  *route // nil when no remote provider is in the order
}

// member is one provider and its health.
type member struct {
	p       Provider
	label   string
	offline bool

	mu       sync.Mutex
	failures int       // consecutive
	until    time.Time // skipped by "auto" before this instant
}

// NewRouter builds every configured provider. retriever feeds the offline tutor (nil: it answers
// from its glossary and templates alone).
func NewRouter(cfg Config, retriever Retriever) (*Router, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	var remote []*member
	if o := cfg.OpenAI; o != nil {
		remote = append(remote, &member{p: newOpenAI(*o, cfg.Clock), label: o.Label})
	}
	if a := cfg.Anthropic; a != nil {
		remote = append(remote, &member{p: newAnthropic(*a, cfg.Clock, cfg.Timeout), label: "Anthropic"})
	}
	offline, err := newOffline(retriever)
	if err != nil {
		return nil, err
	}
	return assemble(cfg, remote, &member{p: offline, label: OfflineLabel, offline: true}), nil
}

// assemble wires members (validated against cfg.Order) into a Router.
func assemble(cfg Config, remote []*member, offline *member) *Router {
	r := &Router{cfg: cfg, byName: map[string]*member{}}
	for _, m := range append(slices.Clone(remote), offline) {
		r.byName[m.p.Name()] = m
	}
	var order []*member
	for _, name := range cfg.Order {
		order = append(order, r.byName[name])
	}
	r.members = slices.Clone(order)
	for _, m := range remote {
		if !slices.Contains(r.members, m) {
			r.members = append(r.members, m)
		}
	}
	r.members = append(r.members, offline)
	r.auto = &route{r: r, name: AutoName, members: append(slices.Clone(order), offline), auto: true}
	if len(order) > 0 {
		r.remote = &route{r: r, name: AutoName, members: order, auto: true}
	}
	return r
}

// Provider resolves a caller's provider id: "auto" (or "") routes with fallback; a configured id
// is that provider alone (with the timeout, no fallback: the caller chose it). Anything else is
// ErrUnknownProvider.
func (r *Router) Provider(name string) (Provider, error) {
	if name == "" || name == AutoName {
		return r.auto, nil
	}
	m, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownProvider, name)
	}
	return &route{r: r, name: name, members: []*member{m}}, nil
}

// Remote routes like "auto" over the real providers only (the XEL evaluator needs a model, not
// the offline tutor); nil when none is configured (or none is in the order).
func (r *Router) Remote() Provider {
	if r.remote == nil {
		return nil
	}
	return r.remote
}

// ValidateModel checks that provider exists and offers model ("" is its default, always valid).
func (r *Router) ValidateModel(provider, model string) error {
	p, err := r.Provider(provider)
	if err != nil {
		return err
	}
	if model != "" && !slices.Contains(p.Models(), model) {
		return fmt.Errorf("%w: %q is not offered by %s", ErrUnknownModel, model, p.Name())
	}
	return nil
}

// Infos lists "auto" first, then each provider.
func (r *Router) Infos() []Info {
	now := r.cfg.Clock.Now()
	auto := Info{ID: AutoName, Name: "Automatic", Models: r.auto.Models()}
	infos := []Info{{}}
	for _, m := range r.members {
		ready := m.ready(now)
		if ready && slices.Contains(r.auto.members, m) && !auto.Available {
			auto.Available, auto.DefaultModel = true, m.p.Models()[0]
		}
		infos = append(infos, Info{ID: m.p.Name(), Name: m.label, Available: ready, Models: slices.Clone(m.p.Models()), DefaultModel: m.p.Models()[0]})
	}
	infos[0] = auto
	return infos
}

func (m *member) ready(now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !now.Before(m.until)
}

// remaining is how long m is still skipped.
func (m *member) remaining(now time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return max(m.until.Sub(now), 0)
}

// record updates m's health after a call. A failure at or past the threshold starts (or, after
// a cool-down, restarts at once) a cool-down; a 429 also skips m for its Retry-After, capped by
// the cool-down; a success clears everything.
func (m *member) record(err error, now time.Time, cfg Config) {
	if m.offline {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil {
		m.failures, m.until = 0, time.Time{}
		return
	}
	m.failures++
	if cfg.Cooldown < 0 {
		return
	}
	until := m.until
	if m.failures >= cfg.FailureThreshold {
		until = now.Add(cfg.Cooldown)
	}
	var e *Error
	if errors.As(err, &e) && e.Status == 429 && e.RetryAfter > 0 {
		if t := now.Add(min(e.RetryAfter, cfg.Cooldown)); t.After(until) {
			until = t
		}
	}
	m.until = until
}

// unhealthy tells whether a failure says something about the provider rather than the request:
// no answer, a timeout, a 5xx, a 429, or credentials/model it rejects. Other 4xx (a prompt too
// long for one model) still fall back but do not count.
func unhealthy(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true
	}
	switch {
	case errors.Is(e.Err, ErrNotSupported):
		return false
	case e.Status == 0 || e.Status >= 500:
		return true
	}
	switch e.Status {
	case 401, 402, 403, 404, 408, 429:
		return true
	}
	return false
}

// route is a Provider over one or more members: "auto" (with fallback and cool-down skips) or
// one named provider.
type route struct {
	r       *Router
	name    string
	members []*member
	auto    bool
}

var _ Provider = (*route)(nil)

func (rt *route) Name() string { return rt.name }

// Models are the members' models, deduplicated, in order.
func (rt *route) Models() []string {
	var out []string
	for _, m := range rt.members {
		for _, model := range m.p.Models() {
			if !slices.Contains(out, model) {
				out = append(out, model)
			}
		}
	}
	return out
}

// candidates are the members that can serve model ("" : all).
func (rt *route) candidates(model string) ([]*member, error) {
	if model == "" {
		return rt.members, nil
	}
	var out []*member
	for _, m := range rt.members {
		if slices.Contains(m.p.Models(), model) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %q is not offered by %s", ErrUnknownModel, model, rt.name)
	}
	return out, nil
}

func (rt *route) Complete(ctx context.Context, req Request) (*Response, error) {
	return rt.run(ctx, req, func(ctx context.Context, m *member, _ *bool) (*Response, error) {
		ctx, cancel := context.WithTimeoutCause(ctx, rt.r.cfg.Timeout, ErrTimeout)
		defer cancel()
		resp, err := m.p.Complete(ctx, req)
		return resp, timedOut(ctx, m, err)
	})
}

// Stream falls back only while nothing was delivered: once the caller has seen text from one
// provider, switching to another would splice two different answers.
func (rt *route) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	return rt.run(ctx, req, func(ctx context.Context, m *member, delivered *bool) (*Response, error) {
		// The timeout is an idle timeout: the wait for the first delta and between deltas.
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		timeout := rt.r.cfg.Timeout
		timer := time.AfterFunc(timeout, func() { cancel(ErrTimeout) })
		defer timer.Stop()
		var consumerErr error
		resp, err := m.p.Stream(ctx, req, func(delta string) error {
			timer.Reset(timeout)
			*delivered = true
			if err := onDelta(delta); err != nil {
				consumerErr = err
				return err
			}
			return nil
		})
		if consumerErr != nil {
			return nil, consumerError{consumerErr}
		}
		return resp, timedOut(ctx, m, err)
	})
}

// consumerError marks an error of the caller's onDelta: returned as is, never a fallback, never
// held against the provider.
type consumerError struct{ err error }

func (e consumerError) Error() string { return e.err.Error() }

// timedOut replaces the error of an attempt whose own timeout fired with ErrTimeout.
func timedOut(ctx context.Context, m *member, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), ErrTimeout) {
		return &Error{Provider: m.p.Name(), Err: ErrTimeout}
	}
	return err
}

// run tries the candidates in order with attempt, recording health, until one answers.
func (rt *route) run(ctx context.Context, req Request, attempt func(context.Context, *member, *bool) (*Response, error)) (*Response, error) {
	cands, err := rt.candidates(req.Model)
	if err != nil {
		return nil, err
	}
	cfg := rt.r.cfg
	var last error
	for _, m := range cands {
		if rt.auto {
			if wait := m.remaining(cfg.Clock.Now()); wait > 0 {
				last = &Error{Provider: m.p.Name(), RetryAfter: wait, Err: ErrCoolingDown}
				continue
			}
		}
		var delivered bool
		resp, err := attempt(ctx, m, &delivered)
		var ce consumerError
		switch {
		case errors.As(err, &ce):
			return nil, ce.err
		case err != nil && ctx.Err() != nil: // the caller gave up: not the provider's fault
			return nil, context.Cause(ctx)
		}
		if err == nil || unhealthy(err) { // a harmless failure leaves health as it was
			m.record(err, cfg.Clock.Now(), cfg)
		}
		if err == nil {
			return resp, nil
		}
		if !rt.auto || delivered {
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("%w: %w", ErrAllFailed, last)
}
