package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The markers around the generated section of docs/performance.md; a rerun replaces what is
// between them and keeps the rest of the file.
const (
	BeginMarker = "<!-- make bench: generated section, do not edit (begin) -->"
	EndMarker   = "<!-- make bench: generated section (end) -->"
)

// The cases' names, shared by the runs and the ratios.
const (
	CaseEcho    = "baseline: bare Echo"
	CasePK      = "baseline: Echo + JWT + GORM PK read"
	CaseList    = "baseline: Echo + JWT + GORM list of 30"
	CaseLogin   = "POST /api/auth/login"
	CaseMe      = "GET /api/auth/me"
	CaseMembers = "GET /api/organizations/{id}/members (50)"
)

// Report is one `make bench` run.
type Report struct {
	Start, End    time.Time
	Machine       string
	LoadStart     string
	LoadEnd       string
	Go            string
	Postgres      string
	Load          Load
	ArgonParams   string
	Argon         []float64 // raw argon2id hashes/s at the server's parameters, measured in the run
	Results       []Result
	Notes         []string
	RSSResetWorks bool
}

// find is the result of a case on a database at conns, or nil.
func (r *Report) find(db, name string, conns int) *Result {
	for i := range r.Results {
		if x := &r.Results[i]; x.DB == db && x.Case == name && x.Conns == conns {
			return x
		}
	}
	return nil
}

// ArgonRate is the mean of the raw hash rates measured in the run (0 if none).
func (r *Report) ArgonRate() float64 {
	s := 0.0
	for _, v := range r.Argon {
		s += v
	}
	if len(r.Argon) == 0 {
		return 0
	}
	return s / float64(len(r.Argon))
}

// Ratio is one of the targets, as measured.
type Ratio struct {
	Name   string
	Value  float64 // NaN: not measured
	Target string
	Met    bool
	Detail string
}

func (r *Report) dbs() []string {
	var out []string
	for _, x := range r.Results {
		if !contains(out, x.DB) {
			out = append(out, x.DB)
		}
	}
	return out
}

func (r *Report) conns() []int {
	var out []int
	for _, x := range r.Results {
		if !contains(out, x.Conns) {
			out = append(out, x.Conns)
		}
	}
	return out
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Ratios computes the targets from the results: /me against the PK-read baseline,
// member-list CPU per row against the list baseline, login against the raw hash rate, peak
// RSS of the routes other than login, and PostgreSQL connections opened under steady load.
func (r *Report) Ratios() []Ratio {
	var out []Ratio
	nan := math.NaN()
	for _, db := range r.dbs() {
		for _, c := range r.conns() {
			me, pk := r.find(db, CaseMe, c), r.find(db, CasePK, c)
			q := Ratio{Name: fmt.Sprintf("/me req/s ÷ PK-read baseline, %s, c%d", db, c), Value: nan, Target: "≥ 1.0×"}
			if me != nil && pk != nil && pk.ReqPerS > 0 {
				q.Value = me.ReqPerS / pk.ReqPerS
				q.Met = q.Value >= 1.0
				q.Detail = fmt.Sprintf("%.0f vs %.0f req/s", me.ReqPerS, pk.ReqPerS)
			}
			out = append(out, q)
		}
		for _, c := range r.conns() {
			ml, bl := r.find(db, CaseMembers, c), r.find(db, CaseList, c)
			q := Ratio{Name: fmt.Sprintf("member list CPU/row ÷ list baseline CPU/row, %s, c%d", db, c), Value: nan, Target: "≤ 1.5×"}
			if ml != nil && bl != nil && bl.CPUPerRow() > 0 {
				q.Value = ml.CPUPerRow() / bl.CPUPerRow()
				q.Met = q.Value <= 1.5
				q.Detail = fmt.Sprintf("%.1f vs %.1f µs/row", ml.CPUPerRow(), bl.CPUPerRow())
			}
			out = append(out, q)
		}
		for _, c := range r.conns() {
			l := r.find(db, CaseLogin, c)
			q := Ratio{Name: fmt.Sprintf("login req/s ÷ raw argon2id hashes/s, %s, c%d", db, c), Value: nan, Target: "≥ 0.95×"}
			a := r.ArgonRate()
			if l != nil && l.RawHashes > 0 {
				a = l.RawHashes
			}
			if l != nil && a > 0 {
				q.Value = l.ReqPerS / a
				q.Met = q.Value >= 0.95
				q.Detail = fmt.Sprintf("%.1f vs %.1f/s", l.ReqPerS, a)
			}
			out = append(out, q)
		}
		var worst *Result
		for i := range r.Results {
			x := &r.Results[i]
			if x.DB == db && !x.Baseline && x.Case != CaseLogin && (worst == nil || x.PeakRSS > worst.PeakRSS) {
				worst = x
			}
		}
		q := Ratio{Name: fmt.Sprintf("peak RSS of the non-login routes, %s", db), Value: nan, Target: "< 64 MiB"}
		if worst != nil {
			q.Value = float64(worst.PeakRSS) / (1 << 20)
			q.Met = q.Value < 64
			q.Detail = fmt.Sprintf("highest: %s c%d", worst.Case, worst.Conns)
		}
		out = append(out, q)
		total, worst := 0, (*Result)(nil)
		for i := range r.Results {
			x := &r.Results[i]
			if x.DB == db && !x.Baseline && x.NewConns >= 0 {
				total += x.NewConns
				if worst == nil || x.NewConns > worst.NewConns {
					worst = x
				}
			}
		}
		if worst != nil {
			out = append(out, Ratio{Name: fmt.Sprintf("new PostgreSQL connections under steady load, %s routes", db), Value: float64(total),
				Target: "0", Met: total == 0, Detail: fmt.Sprintf("most: %d in %s c%d", worst.NewConns, worst.Case, worst.Conns)})
		}
	}
	return out
}

// Markdown is the generated section (between the markers, markers included).
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("%s\n## `make bench`: the server under load beside same-run baselines\n\n", BeginMarker)
	w("Generated by `make bench` (`bench/run`) on %s, %s to %s UTC (%s). Machine: %s. Load average "+
		"(1, 5, 15 min) %s at the start, %s at the end; %s, %s. Other helpers' builds and tests share these cores, "+
		"so compare rows of the same run, not runs.\n\n",
		r.Start.UTC().Format("2006-01-02"), r.Start.UTC().Format("15:04"), r.End.UTC().Format("15:04"),
		r.End.Sub(r.Start).Round(time.Second), r.Machine, r.LoadStart, r.LoadEnd, r.Go, r.Postgres)
	w("Each case: a closed loop of N vegeta workers (each its own keep-alive connection) on loopback for %s of "+
		"warm-up and, without a pause, %s measured; the load generator runs on the same cores. req/s counts the 2xx answers that arrive in the measured window (p50/p99/max are over every answer in it); CPU is the server "+
		"process's user + system time per request from `/proc/<pid>/stat` (PostgreSQL's own CPU is not in it); "+
		"RSS is `VmRSS` when the window starts and `VmHWM` at its end, %s; new PG conns is the rise of `pg_stat_database.sessions` for the bench database "+
		"over the measured window (load running at both readings).\n\n", r.Load.Warmup, r.Load.Duration, rssNote(r.RSSResetWorks))
	w("### Against the issue's targets\n\n| target | measured | wanted | met | detail |\n|---|---|---|---|---|\n")
	for _, q := range r.Ratios() {
		v, met := "n/a", "—"
		if !math.IsNaN(q.Value) {
			v, met = fmt.Sprintf("%.2f", q.Value), map[bool]string{true: "yes", false: "**no**"}[q.Met]
			if strings.HasPrefix(q.Target, "<") || q.Target == "0" {
				v = fmt.Sprintf("%.0f", q.Value)
			}
			if !strings.HasPrefix(q.Target, "<") && q.Target != "0" {
				v += "×"
			}
		}
		w("| %s | %s | %s | %s | %s |\n", q.Name, v, q.Target, met, q.Detail)
	}
	w("\nRaw argon2id at the server's parameters (%s), one hash per core in parallel, in this process: %s hashes/s.\n",
		r.ArgonParams, joinFloats(r.Argon))
	for _, db := range r.dbs() {
		w("\n### %s\n\n| case | conns | req/s | p50 ms | p99 ms | max ms | CPU µs/req | RSS at start → peak MiB | new PG conns | not 2xx |\n|---|---|---|---|---|---|---|---|---|---|\n", db)
		for _, x := range r.Results {
			if x.DB != db {
				continue
			}
			name := x.Case
			if x.Baseline {
				name = "**" + name + "**"
			}
			nc := "—"
			if x.NewConns >= 0 {
				nc = fmt.Sprint(x.NewConns)
			}
			w("| %s | %d | %.1f | %.2f | %.1f | %.0f | %.0f | %.1f → %.1f | %s | %s |\n", name, x.Conns, x.ReqPerS, x.P50, x.P99, x.Max, x.CPUus,
				float64(x.StartRSS)/(1<<20), float64(x.PeakRSS)/(1<<20), nc, x.Codes)
		}
	}
	for _, n := range r.Notes {
		w("\n%s\n", n)
	}
	w("\n%s\n", EndMarker)
	return b.String()
}

func rssNote(reset bool) string {
	if reset {
		return "reset before each run by writing 5 to `/proc/<pid>/clear_refs`"
	}
	return "**not** reset between runs (`/proc/<pid>/clear_refs` refused), so it is the peak since the process started"
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, ", ")
}

// ReplaceSection puts section (markers included) in place of the one between the markers of
// doc, or appends it when doc has none.
func ReplaceSection(doc, section string) string {
	i, j := strings.Index(doc, BeginMarker), strings.Index(doc, EndMarker)
	if i < 0 || j < i {
		return strings.TrimRight(doc, "\n") + "\n\n" + section
	}
	return doc[:i] + strings.TrimRight(section, "\n") + doc[j+len(EndMarker):]
}
