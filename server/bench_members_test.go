package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// baselineMember is a member row as a plain GORM scan target, encoded as the API's fields.
type baselineMember struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	Email    string    `json:"email"`
	FullName *string   `json:"full_name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
	TeamID   *string   `json:"team_id"`
	TeamName *string   `json:"team_name"`
}

// baselineMembers is Echo + the JWT verification + one plain GORM list of the organization's
// members joined with their users and teams (no authorization, no validation): what the
// member list's CPU per row is measured against.
func baselineMembers(b *testing.B, h *harness) *echo.Echo {
	db := baselineDB(b, h)
	e := echo.New()
	e.Use(baselineAuth(h))
	e.GET("/api/organizations/:id/members", func(c echo.Context) error {
		var rows []baselineMember
		err := db.WithContext(c.Request().Context()).Table("memberships").
			Select("memberships.user_id, memberships.role, memberships.joined_at, memberships.team_id, users.username, users.email, users.full_name, teams.name AS team_name").
			Joins("JOIN users ON users.id = memberships.user_id").
			Joins("LEFT JOIN teams ON teams.id = memberships.team_id").
			Where("memberships.organization_id = ?", c.Param("id")).
			Order("memberships.joined_at, memberships.user_id").Limit(50).Scan(&rows).Error
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, rows)
	})
	return e
}

// BenchmarkListMembers50: GET /members returning 50 members (with their users and teams) on
// PostgreSQL, through the whole server: request ID, access log, bearer authentication with
// its session check, OpenAPI request validation, the membership check and the list. The
// harness's own response validation runs once before timing, not in the loop. Sub-benchmarks:
// the server and baselineMembers alone (cpu-µs/row: this process's CPU per listed row), and
// both interleaved in one run (ratio-cpu: the baseline's CPU per row over the server's, ≥
// 0.67 is within 1.5×; -benchtime 1x for that one).
func BenchmarkListMembers50(b *testing.B) {
	if os.Getenv(envPostgresURL) == "" {
		b.Skipf("set %s to run on PostgreSQL", envPostgresURL)
	}
	h := benchHarness(b, "postgres")
	admin := h.newUser("benchm")
	id := h.createOrg(admin, "Bench Org").Id.String()
	team := h.createTeam(admin, id, "Bench Team", admin).Id.String()
	h.seedMembers(id, 49, team)
	path := orgPath(id, "/members?limit=50")

	var list []json.RawMessage
	h.raw("GET", path, nil, admin.auth()).expect(b, 200).decode(b, &list)
	if len(list) != 50 {
		b.Fatalf("%d members listed", len(list))
	}
	req := func() *http.Request {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = h.remoteAddr
		req.Header.Set("Authorization", "Bearer "+admin.Access)
		return req
	}
	apps := []loadApp{{"baseline", baselineMembers(b, h)}, {"server", h.e}}
	for _, app := range apps {
		b.Run(app.name, func(b *testing.B) {
			b.ReportAllocs()
			s := startLoad(b, nil)
			for b.Loop() {
				rec := httptest.NewRecorder()
				app.e.ServeHTTP(rec, req())
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			cpu := cpuTime() - s.cpu0
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/50, "cpu-µs/row")
		})
	}
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
			res := compareLoad(b, 1, 8, 400*time.Millisecond, http.StatusOK, req, apps...)
			for i, app := range apps {
				b.ReportMetric(res[i].cpuPerReq()/50, app.name+"-cpu-µs/row")
			}
			b.ReportMetric(res[0].cpuPerReq()/res[1].cpuPerReq(), "ratio-cpu")
		}
	})
}
