package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Result is one measured run: one case (a route of the server or a baseline) on one database
// at one number of connections.
type Result struct {
	DB       string  `json:"db"`
	Case     string  `json:"case"`
	Baseline bool    `json:"baseline,omitempty"`
	Conns    int     `json:"conns"`
	Rows     int     `json:"rows,omitempty"` // rows per response, for per-row costs
	Requests uint64  `json:"requests"`
	Success  float64 `json:"success"`   // share of 2xx/3xx answers
	ReqPerS  float64 `json:"req_per_s"` // successful answers per second
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
	CPUus    float64 `json:"cpu_us_per_req"`  // the server process's user+system CPU per request
	PeakRSS  int64   `json:"peak_rss_bytes"`  // VmHWM during the run (since the start if RSSReset is false)
	StartRSS int64   `json:"start_rss_bytes"` // VmRSS when the window began
	RSSReset bool    `json:"rss_reset"`
	NewConns int     `json:"new_pg_conns"` // PostgreSQL sessions opened during the run; -1 not measured
	Codes    string  `json:"codes,omitempty"`
	// RawHashes is the raw argon2id rate measured just before a login run (hashes/s).
	RawHashes float64 `json:"raw_hashes_per_s,omitempty"`
}

// CPUPerRow is the CPU per request divided by the rows it answers (0 without rows).
func (r *Result) CPUPerRow() float64 {
	if r.Rows == 0 {
		return 0
	}
	return r.CPUus / float64(r.Rows)
}

// churn counts the sessions PostgreSQL opened to one database (pg_stat_database.sessions),
// read over a connection of its own to another database.
type churn struct {
	db      *sql.DB
	datname string
}

func (c *churn) sessions(ctx context.Context) (int64, error) {
	var n int64
	err := c.db.QueryRowContext(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = $1", c.datname).Scan(&n)
	return n, err
}

// Load is how every case is driven: a closed loop of Conns vegeta workers (rate 0: as fast as
// the answers come), each on its own keep-alive connection, for Warmup + Duration without a
// pause. The measured window is the Duration after the warm-up: the answers that arrive in it
// count (a closed loop's throughput, right even when one answer takes longer than the window,
// as logins at 64 connections do), and the CPU, RSS and PostgreSQL-session readings are taken
// at its two ends while the load runs, so the pool is measured in its steady state and the
// drain after the window is left out.
type Load struct {
	Duration, Warmup time.Duration
}

// run measures one case against p.
func (l Load) run(ctx context.Context, db, name string, rows, conns int, p *Proc, tgt vegeta.Targeter, ch *churn) (Result, error) {
	res := Result{DB: db, Case: name, Conns: conns, Rows: rows, NewConns: -1}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true,
	}}
	defer client.CloseIdleConnections()
	type reading struct {
		at              time.Time
		ticks, sessions int64
		rss             int64 // VmRSS at the start, VmHWM at the end
		err             error
	}
	read := func(start bool) reading {
		r := reading{at: time.Now()}
		if start {
			res.RSSReset = resetPeakRSS(p.Pid())
			r.rss, r.err = memStatus(p.Pid(), "VmRSS:")
		} else {
			r.rss, r.err = memStatus(p.Pid(), "VmHWM:")
		}
		var err error
		r.ticks, err = cpuTicks(p.Pid())
		r.err = errors.Join(r.err, err)
		if ch != nil && r.err == nil {
			r.sessions, r.err = ch.sessions(ctx)
		}
		return r
	}
	first, last := make(chan reading, 1), make(chan reading, 1)
	t1 := time.AfterFunc(l.Warmup, func() { first <- read(true) })
	t2 := time.AfterFunc(l.Warmup+l.Duration, func() { last <- read(false) })
	defer t1.Stop()
	defer t2.Stop()
	a := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	var all []*vegeta.Result
	for r := range a.Attack(tgt, vegeta.ConstantPacer{}, l.Warmup+l.Duration, name) {
		all = append(all, r)
	}
	start, end := <-first, <-last
	if err := errors.Join(start.err, end.err); err != nil {
		return res, err
	}
	var m vegeta.Metrics
	var ok uint64
	for _, r := range all {
		if done := r.Timestamp.Add(r.Latency); !done.Before(start.at) && !done.After(end.at) {
			m.Add(r)
			if r.Code >= 200 && r.Code < 300 {
				ok++
			}
		}
	}
	m.Close()
	window := end.at.Sub(start.at).Seconds()
	if ch != nil {
		res.NewConns = int(end.sessions - start.sessions)
	}
	res.Requests, res.Success, res.ReqPerS = m.Requests, m.Success, float64(ok)/window
	res.StartRSS, res.PeakRSS = start.rss, end.rss
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.P50, res.P99, res.Max = ms(m.Latencies.P50), ms(m.Latencies.P99), ms(m.Latencies.Max)
	if m.Requests > 0 {
		res.CPUus = float64(end.ticks-start.ticks) * (1e6 / clockTicks) / float64(m.Requests)
	}
	res.Codes = codes(&m)
	return res, nil
}

// codes lists the answers that were not 2xx (with up to two distinct errors).
func codes(m *vegeta.Metrics) string {
	var out []string
	for c, n := range m.StatusCodes {
		if !strings.HasPrefix(c, "2") {
			out = append(out, fmt.Sprintf("%s×%d", c, n))
		}
	}
	sort.Strings(out)
	errs := m.Errors
	if len(errs) > 2 {
		errs = errs[:2]
	}
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%q", e))
	}
	return strings.Join(out, " ")
}
