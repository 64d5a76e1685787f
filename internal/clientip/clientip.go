// Package clientip turns what the network says about a client into the address per-IP limits
// count (the peer address, or the X-Forwarded-For entries trusted proxies wrote), and an address
// into the rate-limit buckets it belongs to. Pure functions with table tests.
package clientip

import (
	"errors"
	"net/netip"
	"strings"
)

// ErrUnparseable: an address entry is in none of the forms Parse reads.
var ErrUnparseable = errors.New("not an IP address")

// Parse reads one address as peers and proxies write it: "192.0.2.1", "192.0.2.1:443",
// "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443", each IPv6 form with or without a zone
// ("fe80::1%eth0"). Zones are dropped and IPv4-mapped IPv6 becomes the IPv4 address, so one
// client always has one spelling.
func Parse(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	host := s
	if rest, ok := strings.CutPrefix(s, "["); ok {
		h, port, ok := strings.Cut(rest, "]")
		if !ok || (port != "" && !validPort(strings.TrimPrefix(port, ":"))) || (port != "" && port[0] != ':') {
			return netip.Addr{}, ErrUnparseable
		}
		host = h
	} else if strings.Count(s, ":") == 1 { // IPv4 with a port
		h, port, _ := strings.Cut(s, ":")
		if !validPort(port) {
			return netip.Addr{}, ErrUnparseable
		}
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, ErrUnparseable
	}
	return a.WithZone("").Unmap(), nil
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 {
		return false
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FromForwarded returns the client of a request that arrived from peer carrying the given
// X-Forwarded-For header values: reading right to left from the peer, the first address
// trusted does not accept (every proxy appends the address it received the request from, so
// only entries to the right of the first untrusted one are believed). When all are trusted
// it is the leftmost. An entry it has to read that does not parse is an error, never a fallback
// to the peer, which would put every client of the proxy in one bucket.
func FromForwarded(peer netip.Addr, xff []string, trusted func(netip.Addr) bool) (netip.Addr, error) {
	if !trusted(peer) {
		return peer, nil
	}
	var entries []string
	for _, v := range xff {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				entries = append(entries, e)
			}
		}
	}
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		a, err := Parse(entries[i])
		if err != nil {
			return netip.Addr{}, err
		}
		client = a
		if !trusted(a) {
			break
		}
	}
	return client, nil
}

// Bucket is one rate-limit key of a client and how many times the per-client limit it may
// reach.
type Bucket struct {
	Key   string
	Scale int
}

// SiteScale is how many clients' worth of attempts a whole IPv6 /48 may make.
const SiteScale = 4

// Buckets are the rate-limit keys a client counts against, narrowest first. An IPv4 address is
// one bucket. An IPv6 client is counted by its /64 (what one host or home is usually given, so
// holding many addresses buys nothing) and by its /48 (one site) with SiteScale times the
// limit, so holding many /64s buys little more.
func Buckets(a netip.Addr) []Bucket {
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return []Bucket{{Key: a.String(), Scale: 1}}
	}
	p64, _ := a.Prefix(64)
	p48, _ := a.Prefix(48)
	return []Bucket{{Key: p64.String(), Scale: 1}, {Key: p48.String(), Scale: SiteScale}}
}
