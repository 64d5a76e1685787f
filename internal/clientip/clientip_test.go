package clientip

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                  "192.0.2.1",
		" 192.0.2.1 ":                "192.0.2.1",
		"192.0.2.1:443":              "192.0.2.1",
		"2001:db8::1":                "2001:db8::1",
		"[2001:db8::1]":              "2001:db8::1",
		"[2001:db8::1]:443":          "2001:db8::1",
		"fe80::1%eth0":               "fe80::1",
		"[fe80::1%eth0]:8080":        "fe80::1",
		"::ffff:198.51.100.7":        "198.51.100.7",
		"[::ffff:198.51.100.7]:1234": "198.51.100.7",
		"unknown":                    "",
		"":                           "",
		"192.0.2.1:":                 "",
		"192.0.2.1:http":             "",
		"[2001:db8::1":               "",
		"[2001:db8::1]443":           "",
		"[2001:db8::1]:99999999":     "",
		"300.0.0.1":                  "",
		"_hidden":                    "",
	} {
		a, err := Parse(in)
		got := ""
		if err == nil {
			got = a.String()
		}
		if got != want {
			t.Errorf("Parse(%q) = %q (%v), want %q", in, got, err, want)
		}
	}
}

func TestFromForwarded(t *testing.T) {
	proxies := netip.MustParsePrefix("10.0.0.0/8")
	trusted := func(a netip.Addr) bool { return proxies.Contains(a) }
	for _, c := range []struct {
		peer string
		xff  []string
		want string // "" = error
	}{
		{"10.1.2.3", nil, "10.1.2.3"},
		{"192.0.2.9", []string{"203.0.113.1"}, "192.0.2.9"}, // untrusted peer: header ignored
		{"10.1.2.3", []string{"203.0.113.1"}, "203.0.113.1"},
		{"10.1.2.3", []string{"198.51.100.1, 203.0.113.1"}, "203.0.113.1"}, // spoofed left entry ignored
		{"10.1.2.3", []string{"198.51.100.1", "203.0.113.1, 10.9.9.9"}, "203.0.113.1"},
		{"10.1.2.3", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"10.1.2.3", []string{"fe80::1%eth0"}, "fe80::1"},
		{"10.1.2.3", []string{"203.0.113.1:5000"}, "203.0.113.1"},
		{"10.1.2.3", []string{"garbage, 203.0.113.1"}, "203.0.113.1"}, // never read
		{"10.1.2.3", []string{"203.0.113.1, unknown"}, ""},
		{"10.1.2.3", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5"}, // all trusted: the leftmost
		{"10.1.2.3", []string{""}, "10.1.2.3"},
	} {
		p := netip.MustParseAddr(c.peer)
		a, err := FromForwarded(p, c.xff, trusted)
		got := ""
		if err == nil {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("FromForwarded(%s, %q) = %q (%v), want %q", c.peer, c.xff, got, err, c.want)
		}
	}
}

func TestBuckets(t *testing.T) {
	for in, want := range map[string][]Bucket{
		"198.51.100.7":         {{"198.51.100.7", 1}},
		"::ffff:198.51.100.7":  {{"198.51.100.7", 1}},
		"2001:db8:1:2:3:4:5:6": {{"2001:db8:1:2::/64", 1}, {"2001:db8:1::/48", SiteScale}},
		"2001:db8:1:2:ffff::9": {{"2001:db8:1:2::/64", 1}, {"2001:db8:1::/48", SiteScale}},
		"fe80::1%eth0":         {{"fe80::/64", 1}, {"fe80::/48", SiteScale}},
	} {
		if got := Buckets(netip.MustParseAddr(in)); !reflect.DeepEqual(got, want) {
			t.Errorf("Buckets(%s) = %v, want %v", in, got, want)
		}
	}
}
