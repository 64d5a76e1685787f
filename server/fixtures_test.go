package server_test

// Fixtures shared by the API tests: organizations, teams and memberships made through the API
// (createOrg, addMember, createTeam) or, for setups the API forbids, straight in the store
// (seedMembership); and readers for before/after comparisons.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

func orgPath(orgID string, rest ...string) string {
	return "/api/organizations/" + orgID + strings.Join(rest, "")
}

// createOrg creates an organization named name as u (slug derived) and returns it.
func (h *harness) createOrg(u *user, name string) api.OrganizationResponse {
	h.t.Helper()
	var o api.OrganizationResponse
	h.raw("POST", "/api/organizations", map[string]any{"name": name}, u.auth()).expect(h.t, 201).decode(h.t, &o)
	return o
}

// addMember adds target to orgID as admin with role and team ("" for none).
func (h *harness) addMember(admin *user, orgID string, target *user, role, teamID string) api.MemberResponse {
	h.t.Helper()
	body := map[string]any{"user_id": target.ID, "role": role}
	if teamID != "" {
		body["team_id"] = teamID
	}
	var m api.MemberResponse
	h.raw("POST", orgPath(orgID, "/members"), body, admin.auth()).expect(h.t, 201).decode(h.t, &m)
	return m
}

// createTeam creates a team in orgID as admin, managed by manager (nil: none).
func (h *harness) createTeam(admin *user, orgID, name string, manager *user) api.TeamResponse {
	h.t.Helper()
	body := map[string]any{"name": name}
	if manager != nil {
		body["manager_user_id"] = manager.ID
	}
	var tm api.TeamResponse
	h.raw("POST", orgPath(orgID, "/teams"), body, admin.auth()).expect(h.t, 201).decode(h.t, &tm)
	return tm
}

// membershipRow reads userID's membership of orgID straight from the database (nil: none).
func (h *harness) membershipRow(orgID, userID string) *store.Membership {
	h.t.Helper()
	var rows []store.Membership
	err := h.store.DB(context.Background()).Where("organization_id = ? AND user_id = ?", orgID, userID).Find(&rows).Error
	if err != nil {
		h.t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// rowString renders a membership row for comparisons ("none" when absent).
func rowString(m *store.Membership) string {
	if m == nil {
		return "none"
	}
	team := "-"
	if m.TeamID != nil {
		team = *m.TeamID
	}
	return m.Role + "/" + team
}

// countRows counts the rows of table matching where.
func (h *harness) countRows(table, where string, args ...any) int64 {
	h.t.Helper()
	var n int64
	if err := h.store.DB(context.Background()).Table(table).Where(where, args...).Count(&n).Error; err != nil {
		h.t.Fatal(err)
	}
	return n
}

// orgDump renders every organization, team, membership and API key, for before/after
// comparisons proving a request changed nothing.
func (h *harness) orgDump() string {
	h.t.Helper()
	db := h.store.DB(context.Background())
	var b strings.Builder
	for _, q := range []struct{ table, order string }{
		{"organizations", "id"}, {"teams", "id"}, {"memberships", "organization_id, user_id"}, {"api_keys", "id"},
	} {
		var rows []map[string]any
		if err := db.Table(q.table).Order(q.order).Find(&rows).Error; err != nil {
			h.t.Fatal(err)
		}
		for _, r := range rows {
			delete(r, "last_used_at") // a key's use is recorded even when the request is refused
			j, _ := json.Marshal(r)
			fmt.Fprintf(&b, "%s %s\n", q.table, j)
		}
	}
	return b.String()
}

// seedMembership inserts a membership straight into the store (fixtures only).
func (h *harness) seedMembership(orgID string, u *user, role, teamID string) {
	h.t.Helper()
	m := store.Membership{OrganizationID: orgID, UserID: u.ID, Role: role, JoinedAt: h.store.Now()}
	if teamID != "" {
		m.TeamID = &teamID
	}
	if err := h.store.DB(h.t.Context()).Create(&m).Error; err != nil {
		h.t.Fatal(err)
	}
}
