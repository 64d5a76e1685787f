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
	CPUus    float64 `json:"cpu_us_per_req"` // the server process's user+system CPU per request
	PeakRSS  int64   `json:"peak_rss_bytes"` // VmHWM during the run (since the start if RSSReset is false)
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
// pause. Only the answers to requests sent after the warm-up count; the CPU, peak-RSS and
// PostgreSQL-session readings bracket that window while the load runs, so the pool is measured
// in its steady state.
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
		ticks, sessions int64
		err             error
	}
	read := func() reading {
		var r reading
		r.ticks, r.err = cpuTicks(p.Pid())
		if ch != nil && r.err == nil {
			r.sessions, r.err = ch.sessions(ctx)
		}
		return r
	}
	began := time.Now()
	first := make(chan reading, 1)
	timer := time.AfterFunc(l.Warmup, func() {
		res.RSSReset = resetPeakRSS(p.Pid())
		first <- read()
	})
	defer timer.Stop()
	a := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	var m vegeta.Metrics
	for r := range a.Attack(tgt, vegeta.ConstantPacer{}, l.Warmup+l.Duration, name) {
		if r.Timestamp.Sub(began) >= l.Warmup {
			m.Add(r)
		}
	}
	m.Close()
	last := read()
	var err error
	if res.PeakRSS, err = peakRSS(p.Pid()); err != nil {
		return res, err
	}
	start := <-first
	if err := errors.Join(start.err, last.err); err != nil {
		return res, err
	}
	if ch != nil {
		res.NewConns = int(last.sessions - start.sessions)
	}
	res.Requests, res.Success, res.ReqPerS = m.Requests, m.Success, m.Throughput
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.P50, res.P99, res.Max = ms(m.Latencies.P50), ms(m.Latencies.P99), ms(m.Latencies.Max)
	if m.Requests > 0 {
		res.CPUus = float64(last.ticks-start.ticks) * (1e6 / clockTicks) / float64(m.Requests)
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
