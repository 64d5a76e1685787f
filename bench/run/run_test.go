package main

import (
	"math"
	"strings"
	"testing"
)

func TestPlan(t *testing.T) {
	p := DefaultPlan()
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for k := range p.Orgs {
		ms := p.OrgMembers(k)
		if len(ms)+1 < 50 {
			t.Fatalf("org %d has %d members", k, len(ms)+1)
		}
		for _, u := range ms {
			if u < p.Active || u >= p.Users || seen[u] {
				t.Fatalf("org %d: member %d is active, out of range or in two orgs", k, u)
			}
			seen[u] = true
		}
	}
	if got, want := p.XPEvents(), 1095/9*8*20+(1095%9)*20; got < want-20 || got > want+20 {
		t.Fatalf("XPEvents = %d, want about %d", got, want)
	}
	for _, n := range []uint64{0, 1, uint64(p.Users), 1 << 40} {
		if u := p.LoginUser(n); u < p.Active || u >= p.Users {
			t.Fatalf("LoginUser(%d) = %d", n, u)
		}
	}
	bad := p
	bad.MembersPerOrg = 1000
	if bad.Check() == nil {
		t.Fatal("a plan with more members than users passed")
	}
}

func TestRatiosAndReport(t *testing.T) {
	r := &Report{Argon: []float64{40, 44}, RSSResetWorks: true, Results: []Result{
		{DB: "postgres", Case: CaseMe, Conns: 8, ReqPerS: 5000, PeakRSS: 50 << 20, NewConns: 0},
		{DB: "postgres", Case: CasePK, Conns: 8, ReqPerS: 4000, Baseline: true, PeakRSS: 30 << 20, NewConns: 3},
		{DB: "postgres", Case: CaseMembers, Conns: 8, Rows: 50, CPUus: 1000, PeakRSS: 70 << 20, NewConns: 2},
		{DB: "postgres", Case: CaseList, Conns: 8, Rows: 30, CPUus: 300, Baseline: true},
		{DB: "postgres", Case: CaseLogin, Conns: 8, ReqPerS: 40, RawHashes: 50, PeakRSS: 150 << 20},
	}}
	got := map[string]Ratio{}
	for _, q := range r.Ratios() {
		got[q.Name] = q
	}
	check := func(name string, want float64, met bool) {
		t.Helper()
		q, ok := got[name]
		if !ok || math.Abs(q.Value-want) > 1e-9 || q.Met != met {
			t.Errorf("%s = %+v, want %v met %v", name, q, want, met)
		}
	}
	check("/me req/s ÷ PK-read baseline, postgres, c8", 1.25, true)
	check("member list CPU/row ÷ list baseline CPU/row, postgres, c8", 20.0/10.0, false)
	check("login req/s ÷ raw argon2id hashes/s, postgres, c8", 0.8, false) // the adjacent rate, not the mean
	check("peak RSS of the non-login routes, postgres", 70, false)         // login's 150 MiB is not counted
	check("new PostgreSQL connections under steady load, postgres routes", 2, false)

	md := r.Markdown()
	for _, s := range []string{BeginMarker, EndMarker, "| 1.25× | ≥ 1.0× | yes |", "**baseline: Echo + JWT + GORM PK read**"} {
		if !strings.Contains(md, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	doc := "# Performance\n\nHand-written.\n"
	once := ReplaceSection(doc, md)
	twice := ReplaceSection(once, md)
	if once != twice || !strings.HasPrefix(once, doc) || strings.Count(twice, BeginMarker) != 1 {
		t.Fatalf("rerun does not replace the section in place:\n%s", twice)
	}
	moved := ReplaceSection(strings.Replace(once, BeginMarker, "intro\n"+BeginMarker, 1), "NEW")
	if !strings.Contains(moved, "intro\nNEW") || strings.Contains(moved, "CPU µs/req") {
		t.Fatalf("section not replaced: %s", moved)
	}
}
