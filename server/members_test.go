package server_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

func TestMembersAddAndList(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, mgr, outsider := h.newUser("madm"), h.newUser("mmgr"), h.newUser("mout")
		o := h.createOrg(admin, "Members Org")
		id := o.Id.String()
		foreign := h.createOrg(outsider, "Foreign")
		foreignTeam := h.createTeam(outsider, foreign.Id.String(), "Foreign Team", nil)
		h.addMember(admin, id, mgr, "manager", "")
		team := h.createTeam(admin, id, "Blue", mgr)
		path := orgPath(id, "/members")

		byID, byName, byEmail := h.newUser("mid"), h.newUser("mname"), h.newUser("memail")
		var m api.MemberResponse
		h.raw("POST", path, map[string]any{"user_id": byID.ID}, admin.auth()).expect(t, 201).decode(t, &m)
		if m.UserId.String() != byID.ID || m.Role != api.Member || m.Username != byID.Username || m.Email != byID.Email ||
			m.FullName.MustGet() != "Test mid" || !m.TeamId.IsNull() || !m.TeamName.IsNull() {
			t.Fatalf("by id %+v", m)
		}
		h.raw("POST", path, map[string]any{"username": byName.Username, "role": "manager", "team_id": team.Id}, admin.auth()).
			expect(t, 201).decode(t, &m)
		if m.UserId.String() != byName.ID || m.Role != api.Manager || m.TeamId.MustGet() != team.Id || m.TeamName.MustGet() != "Blue" {
			t.Fatalf("by username %+v", m)
		}
		if got := rowString(h.membershipRow(id, byName.ID)); got != "manager/"+team.Id.String() {
			t.Fatalf("row %s", got)
		}
		h.raw("POST", path, map[string]any{"email": byEmail.Email, "team_id": nil}, admin.auth()).expect(t, 201)

		before := h.orgDump()
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"no reference", map[string]any{"role": "member"}, 422, "invalid_member_reference"},
			{"two references", map[string]any{"user_id": outsider.ID, "username": outsider.Username}, 422, "invalid_member_reference"},
			{"three references", map[string]any{"user_id": outsider.ID, "username": outsider.Username, "email": outsider.Email}, 422, "invalid_member_reference"},
			{"unknown id", map[string]any{"user_id": store.NewID()}, 404, "not_found"},
			{"unknown username", map[string]any{"username": "nobody_here"}, 404, "not_found"},
			{"unknown email", map[string]any{"email": "nobody@example.com"}, 404, "not_found"},
			{"team of another org", map[string]any{"user_id": outsider.ID, "team_id": foreignTeam.Id}, 404, "not_found"},
			{"already member", map[string]any{"user_id": byID.ID}, 409, "already_member"},
			{"already member by email, any case", map[string]any{"email": "MEMAIL" + byEmail.Email[6:]}, 409, "already_member"},
		} {
			r := h.raw("POST", path, c.body, admin.auth()).expect(t, c.status)
			if got := r.errorBody(t).Error; got != c.code {
				t.Errorf("%s: %s", c.name, r.Body)
			}
		}
		h.raw("POST", path, map[string]any{"user_id": outsider.ID}, mgr.auth()).expect(t, 403)
		h.raw("POST", path, map[string]any{"user_id": outsider.ID}, byID.auth()).expect(t, 403)
		h.raw("POST", path, map[string]any{"user_id": outsider.ID}, outsider.auth()).expect(t, 404)
		if h.orgDump() != before {
			t.Fatal("refused adds changed rows")
		}

		// Oldest membership first, filters, pages; every member may list.
		want := []string{admin.ID, mgr.ID, byID.ID, byName.ID, byEmail.ID}
		for _, u := range []*user{admin, mgr, byID} {
			var list []api.MemberResponse
			h.raw("GET", path, nil, u.auth()).expect(t, 200).decode(t, &list)
			if got := memberIDs(list); !slices.Equal(got, want) {
				t.Fatalf("list %v, want %v", got, want)
			}
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"?team_id=" + team.Id.String(), []string{byName.ID}},
			{"?role=manager", []string{mgr.ID, byName.ID}},
			{"?role=admin", []string{admin.ID}},
			{"?role=manager&team_id=" + team.Id.String(), []string{byName.ID}},
			{"?team_id=" + foreignTeam.Id.String(), nil},
			{"?limit=2", want[:2]},
			{"?limit=2&offset=2", want[2:4]},
			{"?offset=4", want[4:]},
			{"?offset=5", nil},
		} {
			var list []api.MemberResponse
			h.raw("GET", path+c.query, nil, mgr.auth()).expect(t, 200).decode(t, &list)
			if got := memberIDs(list); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		h.raw("GET", path+"?limit=201", nil, admin.auth()).expect(t, 400)
		h.raw("GET", path+"?role=owner", nil, admin.auth()).expect(t, 400)
		h.raw("GET", path, nil, outsider.auth()).expect(t, 404)
	})
}

func memberIDs(list []api.MemberResponse) []string {
	var ids []string
	for _, m := range list {
		ids = append(ids, m.UserId.String())
	}
	return ids
}

// TestListMembersOneQuery: the list costs the same number of SQL statements for 3 members as
// for 40 (users and teams are joined, never fetched per member).
func TestListMembersOneQuery(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin := h.newUser("nq")
		id := h.createOrg(admin, "Query Org").Id.String()
		team := h.createTeam(admin, id, "Q", nil).Id.String()
		var counting atomic.Bool
		var statements atomic.Int64
		count := func(*gorm.DB) {
			if counting.Load() {
				statements.Add(1)
			}
		}
		cb := h.store.DB(t.Context()).Callback()
		if err := cb.Query().After("gorm:query").Register("test:count_query", count); err != nil {
			t.Fatal(err)
		}
		if err := cb.Row().After("gorm:row").Register("test:count_row", count); err != nil {
			t.Fatal(err)
		}
		list := func() int64 {
			statements.Store(0)
			counting.Store(true)
			defer counting.Store(false)
			h.raw("GET", orgPath(id, "/members?limit=200"), nil, admin.auth()).expect(t, 200)
			return statements.Load()
		}
		h.seedMembers(id, 2, team)
		few := list()
		h.seedMembers(id, 37, team)
		if many := list(); many != few {
			t.Fatalf("%d statements for 40 members, %d for 3", many, few)
		}
		// The membership check and the list are one statement (authentication's session
		// check is hand-written on the pool, outside GORM's callbacks).
		if few != 1 {
			t.Fatalf("%d statements per list request, want 1", few)
		}
	})
}

// seedMembers inserts n users as members of orgID in teamID straight into the store.
func (h *harness) seedMembers(orgID string, n int, teamID string) {
	h.t.Helper()
	db := h.store.DB(h.t.Context())
	for i := range n {
		u := &store.User{Username: fmt.Sprintf("seed_%s_%d", store.NewID()[24:], i), PasswordHash: "x"}
		u.Email = u.Username + "@example.com"
		if err := h.store.CreateUser(h.t.Context(), u); err != nil {
			h.t.Fatal(err)
		}
		m := &store.Membership{OrganizationID: orgID, UserID: u.ID, Role: store.OrgMember, TeamID: &teamID, JoinedAt: h.store.Now()}
		if err := db.Create(m).Error; err != nil {
			h.t.Fatal(err)
		}
	}
}

func TestMemberRolePatch(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, admin2, mgr, mem, sa, outsider := h.newUser("padm"), h.newUser("padm2"), h.newUser("pmgr"), h.newUser("pmem"), h.newUser("psa"), h.newUser("pout")
		h.superAdmin(sa)
		id := h.createOrg(admin, "Role Org").Id.String()
		h.addMember(admin, id, admin2, "admin", "")
		h.addMember(admin, id, mgr, "manager", "")
		h.addMember(admin, id, mem, "member", "")
		path := func(u *user) string { return orgPath(id, "/members/", u.ID) }
		patch := func(actor, target *user, role string, status int) {
			t.Helper()
			before := rowString(h.membershipRow(id, target.ID))
			r := h.raw("PATCH", path(target), map[string]any{"role": role}, actor.auth()).expect(t, status)
			after := rowString(h.membershipRow(id, target.ID))
			if status == 200 {
				var m api.MemberResponse
				r.decode(t, &m)
				if string(m.Role) != role || after != role+"/-" {
					t.Fatalf("PATCH %s: response %+v, row %s", role, m, after)
				}
			} else if after != before {
				t.Fatalf("refused PATCH changed %s to %s", before, after)
			}
		}
		patch(admin, mem, "manager", 200)
		patch(admin, mem, "member", 200)
		patch(mgr, mem, "manager", 403)
		patch(mem, mgr, "member", 403)
		patch(mem, mem, "admin", 403)
		patch(outsider, mem, "manager", 404)
		patch(admin, admin2, "member", 403) // only a super_admin changes another admin's role
		patch(admin, outsider, "member", 404)
		patch(sa, admin2, "manager", 200)
		patch(admin, admin2, "admin", 200)  // promoting a manager is fine
		patch(admin, admin, "manager", 200) // an admin may step down while another remains
		r := h.raw("PATCH", path(admin2), map[string]any{"role": "member"}, admin2.auth()).expect(t, 409)
		if r.errorBody(t).Error != "last_admin" {
			t.Fatalf("last admin: %s", r.Body)
		}
		r = h.raw("PATCH", path(admin2), map[string]any{"role": "manager"}, sa.auth()).expect(t, 409)
		if r.errorBody(t).Error != "last_admin" {
			t.Fatalf("last admin by super_admin: %s", r.Body)
		}
		patch(admin2, admin2, "admin", 200) // no change is not a demotion
	})
}

func TestRemoveMember(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, admin2, mgr, mem, mem2, outsider := h.newUser("radm"), h.newUser("radm2"), h.newUser("rmgr"), h.newUser("rmem"), h.newUser("rmem2"), h.newUser("rout")
		id := h.createOrg(admin, "Remove Org").Id.String()
		for _, m := range []struct {
			u    *user
			role string
		}{{admin2, "admin"}, {mgr, "manager"}, {mem, "member"}, {mem2, "member"}} {
			h.addMember(admin, id, m.u, m.role, "")
		}
		del := func(actor, target *user, status int) {
			t.Helper()
			before := h.membershipRow(id, target.ID)
			h.raw("DELETE", orgPath(id, "/members/", target.ID), nil, actor.auth()).expect(t, status)
			after := h.membershipRow(id, target.ID)
			if status == 204 && after != nil || status != 204 && rowString(after) != rowString(before) {
				t.Fatalf("DELETE → %d: row %s → %s", status, rowString(before), rowString(after))
			}
		}
		del(mgr, mem, 403)
		del(mem, mem2, 403)
		del(outsider, mem, 404)
		del(outsider, outsider, 404)
		del(mem, mem, 204)      // leaving
		del(admin, mem, 404)    // gone
		del(admin, mgr, 204)    // removed by an admin
		del(admin, admin2, 403) // another admin: only itself or a super_admin
		del(admin2, admin2, 204)
		r := h.raw("DELETE", orgPath(id, "/members/", admin.ID), nil, admin.auth()).expect(t, 409)
		if r.errorBody(t).Error != "last_admin" {
			t.Fatalf("last admin leaving: %s", r.Body)
		}
		del(mem2, mem2, 204)
	})
}

// TestLastAdminRace: in every round the only two admins (a, b) of an organization step down at
// the same moment — or a super_admin acts on one while the other steps down. Each request
// alone is allowed; together at least one must fail, and the organization keeps an admin.
// (A plain admin cannot act on another admin at all, so that is no race.)
func TestLastAdminRace(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		a, b, sa := h.newUser("racea"), h.newUser("raceb"), h.newUser("racesa")
		h.superAdmin(sa)
		type action struct {
			name         string
			actor        int // 0: a, 1: b, 2: the super_admin
			target       int // 0: a, 1: b
			method, body string
		}
		modes := [][2]action{
			{{"a demotes self", 0, 0, "PATCH", `{"role":"member"}`}, {"b demotes self", 1, 1, "PATCH", `{"role":"member"}`}},
			{{"a leaves", 0, 0, "DELETE", ""}, {"b leaves", 1, 1, "DELETE", ""}},
			{{"a demotes self via PUT", 0, 0, "PUT", `{"role":"manager"}`}, {"b leaves", 1, 1, "DELETE", ""}},
			{{"super_admin transfers a out", 2, 0, "PUT", `{"organization_id":"{dest}"}`}, {"b demotes self via PUT", 1, 1, "PUT", `{"role":"member"}`}},
			{{"super_admin demotes a", 2, 0, "PATCH", `{"role":"manager"}`}, {"super_admin removes b", 2, 1, "DELETE", ""}},
			{{"super_admin demotes b", 2, 1, "PATCH", `{"role":"member"}`}, {"a leaves", 0, 0, "DELETE", ""}},
			{{"super_admin removes a", 2, 0, "DELETE", ""}, {"b demotes self", 1, 1, "PATCH", `{"role":"member"}`}},
			{{"super_admin transfers b out", 2, 1, "PUT", `{"organization_id":"{dest}"}`}, {"a leaves", 0, 0, "DELETE", ""}},
			// The two admins go for each other: refused outright (403), both stay admins.
			{{"a demotes b", 0, 1, "PATCH", `{"role":"member"}`}, {"b removes a", 1, 0, "DELETE", ""}},
		}
		const rounds = 54
		wins := map[int]int{}
		users := [3]*user{a, b, sa}
		for round := range rounds {
			id := h.createOrg(a, fmt.Sprintf("Race %d", round)).Id.String()
			h.addMember(a, id, b, "admin", "")
			mode := modes[round%len(modes)]
			var dests [2]string
			for i, act := range mode {
				if strings.Contains(act.body, "{dest}") {
					// An organization the actor administers and the target is not in.
					dests[i] = h.createOrg(users[act.actor], fmt.Sprintf("Race %d dest %d", round, i)).Id.String()
				}
			}
			var wg sync.WaitGroup
			var statuses [2]int
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					act := mode[i]
					var body any
					if act.body != "" {
						body = strings.ReplaceAll(act.body, "{dest}", dests[i])
					}
					<-start
					statuses[i] = h.raw(act.method, orgPath(id, "/members/", users[act.target].ID), body, users[act.actor].auth()).Status
				}()
			}
			close(start)
			wg.Wait()
			n := h.countRows("memberships", "organization_id = ? AND role = ?", id, "admin")
			if mode[0].actor != 2 && mode[0].actor != mode[0].target { // admins acting on each other
				if statuses != [2]int{403, 403} || n != 2 {
					t.Fatalf("round %d (%s / %s): statuses %v, %d admins; want 403s and both admins", round, mode[0].name, mode[1].name, statuses, n)
				}
				continue
			}
			ok := 0
			for _, s := range statuses {
				switch s {
				case 200, 204:
					ok++
				case 409:
				default:
					t.Errorf("round %d (%s / %s): statuses %v", round, mode[0].name, mode[1].name, statuses)
				}
			}
			wins[ok]++
			if n != 1 || ok != 1 {
				t.Fatalf("round %d (%s / %s): statuses %v left %d admins; want exactly one success and one admin",
					round, mode[0].name, mode[1].name, statuses, n)
			}
		}
		t.Logf("rounds by number of successful requests: %v", wins)
	})
}

// TestCrossTransfersDoNotDeadlock: an admin of X and Y moves one member X→Y while moving
// another Y→X at the same moment. Both transactions lock both organizations; taking the locks
// in id order means neither waits for the other forever (PostgreSQL would abort one of them
// with a deadlock error, a 500).
func TestCrossTransfersDoNotDeadlock(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin := h.newUser("xadm")
		for round := range 20 {
			x := h.createOrg(admin, fmt.Sprintf("Cross X %d", round)).Id.String()
			y := h.createOrg(admin, fmt.Sprintf("Cross Y %d", round)).Id.String()
			inX, inY := h.newUser("xinx"), h.newUser("xiny")
			h.addMember(admin, x, inX, "member", "")
			h.addMember(admin, y, inY, "member", "")
			moves := [2][3]string{{x, inX.ID, y}, {y, inY.ID, x}}
			var wg sync.WaitGroup
			var statuses [2]int
			start := make(chan struct{})
			for i, m := range moves {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					statuses[i] = h.raw("PUT", orgPath(m[0], "/members/", m[1]), map[string]any{"organization_id": m[2]}, admin.auth()).Status
				}()
			}
			close(start)
			wg.Wait()
			if statuses != [2]int{200, 200} {
				t.Fatalf("round %d: statuses %v", round, statuses)
			}
			if rowString(h.membershipRow(y, inX.ID)) != "member/-" || rowString(h.membershipRow(x, inY.ID)) != "member/-" {
				t.Fatalf("round %d: members not moved", round)
			}
		}
	})
}

// TestListMembersAuthorization: the list's own statement decides visibility exactly as the
// membership check did: members see the list (an empty page too), outsiders and unknown
// organizations get 404, a super_admin sees any existing organization's list but not a
// missing one's.
func TestListMembersAuthorization(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, member, outsider, root := h.newUser("la"), h.newUser("lm"), h.newUser("lo"), h.newUser("lr")
		h.superAdmin(root)
		id := h.createOrg(admin, "List Org").Id.String()
		h.addMember(admin, id, member, "member", "")
		var list []api.MemberResponse
		h.raw("GET", orgPath(id, "/members"), nil, member.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 2 || list[0].Username != admin.Username || list[1].Username != member.Username {
			t.Fatalf("member sees %+v", list)
		}
		h.raw("GET", orgPath(id, "/members?offset=5"), nil, member.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("page past the end: %+v", list)
		}
		h.raw("GET", orgPath(id, "/members?role=manager"), nil, member.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("no managers: %+v", list)
		}
		missing := store.NewID()
		for _, c := range []struct {
			who  *user
			org  string
			want int
		}{{outsider, id, 404}, {member, missing, 404}, {root, id, 200}, {root, missing, 404}} {
			r := h.raw("GET", orgPath(c.org, "/members"), nil, c.who.auth()).expect(t, c.want)
			if c.want == 404 && r.errorBody(t).Error != "not_found" {
				t.Fatalf("%s: %s", c.who.Username, r.Body)
			}
		}
	})
}
