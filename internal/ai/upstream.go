package ai

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// What the SDK-backed providers share: the HTTP client, the prompt they build from a Request,
// and the mapping of upstream failures to *Error without leaking what upstreams echo back.

// newHTTPClient is one provider's HTTP client. It never follows redirects: an API answers in
// place, and a redirect is the one way a configured URL could lead a request elsewhere.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{
		Transport:     t,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// prompt is a Request in the shape both chat APIs want: one system text and alternating turns.
type prompt struct {
	system string
	turns  []Message
}

// buildPrompt folds RoleSystem turns, the language hint and the JSON instruction into the
// system text, and merges consecutive turns of one role (Anthropic requires alternation; it
// reads no worse for OpenAI).
func buildPrompt(req Request) prompt {
	var sys []string
	if s := strings.TrimSpace(req.System); s != "" {
		sys = append(sys, s)
	}
	var turns []Message
	for _, m := range req.Messages {
		if m.Role == RoleSystem {
			if s := strings.TrimSpace(m.Content); s != "" {
				sys = append(sys, s)
			}
			continue
		}
		role := RoleUser
		if m.Role == RoleAssistant {
			role = RoleAssistant
		}
		if n := len(turns); n > 0 && turns[n-1].Role == role {
			turns[n-1].Content += "\n\n" + m.Content
			continue
		}
		turns = append(turns, Message{Role: role, Content: m.Content})
	}
	if hint := languageHint(req.Language); hint != "" {
		sys = append(sys, hint)
	}
	if req.JSON {
		sys = append(sys, "Reply with a single JSON object and nothing else: no prose, no code fences.")
	}
	return prompt{system: strings.Join(sys, "\n\n"), turns: turns}
}

// languageHint tells the model which language the learner reads best.
func languageHint(code string) string {
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	name := display.English.Languages().Name(tag)
	if name == "" {
		return ""
	}
	if base, _ := tag.Base(); base.String() == "en" {
		return "The learner's language is English (en): reply in English."
	}
	return fmt.Sprintf("The learner's language is %s (%s): write your explanations in %s, and keep "+
		"English examples, phrases and exercises in English.", name, code, name)
}

// errorCode is an upstream error code safe to repeat (an identifier, not free text).
var errorCode = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// upstreamError maps one failed call to *Error. status and header come from the upstream
// response when there was one; code is its machine-readable error type. Upstream messages are
// dropped on purpose: they can echo parts of the key or of the prompt.
func upstreamError(provider string, err error, status int, header http.Header, code string, now time.Time) error {
	e := &Error{Provider: provider, Status: status}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.Err = ErrTimeout
	case errors.Is(err, context.Canceled):
		e.Err = context.Canceled
	case status != 0:
		text := http.StatusText(status)
		switch {
		case status == 529: // Anthropic's
			text = "overloaded"
		case text == "":
			text = "error"
		}
		if errorCode.MatchString(code) {
			text += " (" + code + ")"
		}
		e.Err = errors.New(strings.ToLower(text))
		e.RetryAfter = retryAfter(header, now)
	default:
		e.Err = transportError(err)
	}
	return e
}

// transportError describes a failure without an HTTP answer. Only errors known to carry no
// upstream text (network, TLS, truncation, decoding) keep their details.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		ne net.Error
		de *net.DNSError
		oe *net.OpError
		ce *tls.CertificateVerificationError
		se *json.SyntaxError
	)
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return ErrTimeout
	case errors.As(err, &de):
		return errors.New("connection failed: host not found")
	case errors.As(err, &oe):
		return fmt.Errorf("connection failed: %w", oe)
	case errors.As(err, &ce):
		return errors.New("connection failed: TLS certificate not trusted")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("connection closed before the reply was complete")
	case errors.As(err, &se):
		return errors.New("malformed reply")
	}
	return errors.New("request failed")
}

// retryAfter reads retry-after-ms (OpenAI) or Retry-After (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	const most = 24 * time.Hour
	clamp := func(d time.Duration) time.Duration { return min(max(d, 0), most) }
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && ms < float64(most/time.Millisecond) {
			return clamp(time.Duration(ms * float64(time.Millisecond)))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s > most.Seconds() {
			return clamp(time.Duration(s) * time.Second)
		}
		return clamp(time.Duration(s * float64(time.Second)))
	}
	if t, err := http.ParseTime(v); err == nil {
		return clamp(t.Sub(now))
	}
	return 0
}

// extractJSON trims what models wrap around a JSON object despite being told not to (code
// fences, a sentence before or after), for providers without a native JSON mode.
func extractJSON(s string) string {
	start, end := strings.IndexByte(s, '{'), strings.LastIndexByte(s, '}')
	if start < 0 || end < start {
		return strings.TrimSpace(s)
	}
	return s[start : end+1]
}
