package main

import (
	"errors"
	"fmt"
)

// Plan is the data set `make bench` seeds: who exists, who belongs where, who has history.
// Users are numbered 0..Users-1 (username bench_00000...). The first Active users are logged
// in and drive every authenticated route; the first Orgs of them administer one organization
// each, whose other members are drawn from the users after the active ones; the first XPUsers
// have XPDays days of history.
type Plan struct {
	Users         int
	Active        int
	Orgs          int
	MembersPerOrg int // members besides the admin
	XPUsers       int
	XPDays        int
	XPEventsADay  int
	DocsPerActive int // knowledge documents each active user owns (half shared with an org)
	Conversations int // conversations per active user
	ChatsPerConv  int // chats (two turns each) per conversation
	XELModules    int // modules whose objective tasks each active user has passed
}

// DefaultPlan is the data set of the issue: 10k users, orgs of 50+ members, 3 years of XP
// history for some users, conversations, documents, a course in progress.
func DefaultPlan() Plan {
	return Plan{Users: 10_000, Active: 64, Orgs: 16, MembersPerOrg: 60, XPUsers: 4, XPDays: 3 * 365, XPEventsADay: 20,
		DocsPerActive: 16, Conversations: 2, ChatsPerConv: 3, XELModules: 2}
}

// Check reports a plan that cannot be seeded.
func (p Plan) Check() error {
	var errs []error
	if p.Active < 1 || p.Active > p.Users {
		errs = append(errs, fmt.Errorf("active users %d not in 1..%d", p.Active, p.Users))
	}
	if p.Orgs > p.Active {
		errs = append(errs, fmt.Errorf("%d orgs need as many active users as admins, have %d", p.Orgs, p.Active))
	}
	if p.Active+p.Orgs*p.MembersPerOrg > p.Users {
		errs = append(errs, fmt.Errorf("%d orgs of %d members need %d non-active users, have %d",
			p.Orgs, p.MembersPerOrg, p.Orgs*p.MembersPerOrg, p.Users-p.Active))
	}
	if p.XPUsers > p.Active {
		errs = append(errs, fmt.Errorf("%d XP users must be active (%d)", p.XPUsers, p.Active))
	}
	if p.Orgs < 1 || p.MembersPerOrg < 49 {
		errs = append(errs, errors.New("the member-list route needs an org of 50 members or more"))
	}
	return errors.Join(errs...)
}

// Username of user i.
func Username(i int) string { return fmt.Sprintf("bench_%05d", i) }

// OrgMembers are the users (besides its admin, user org) of organization org.
func (p Plan) OrgMembers(org int) []int {
	out := make([]int, p.MembersPerOrg)
	for j := range out {
		out[j] = p.Active + org*p.MembersPerOrg + j
	}
	return out
}

// XPEvents is how many events one XP user gets: XPEventsADay on every day but one in nine
// (so streaks break and freezes cover).
func (p Plan) XPEvents() int {
	n := 0
	for d := range p.XPDays {
		if d%9 != 4 {
			n += p.XPEventsADay
		}
	}
	return n
}

// LoginUser is the user the n-th login request logs in as: every login a different account,
// cycling through the users that are not active (their sessions stay out of the way).
func (p Plan) LoginUser(n uint64) int {
	return p.Active + int(n%uint64(p.Users-p.Active))
}
