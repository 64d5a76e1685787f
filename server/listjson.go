package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/xentree/xentree-api/store"
)

// bufPool holds the buffers hot list responses are encoded into.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writePooledJSON encodes v as the generated responses do (json.Encoder: HTML escaped, a trailing
// newline) into a pooled buffer and writes it with status.
func writePooledJSON(w http.ResponseWriter, status int, v any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// memberJSON is api.MemberResponse with plain pointers for its nullable fields: the same
// fields in the same order encode to the same bytes (nil is null), without nullable's map and
// its MarshalJSON per field.
type memberJSON struct {
	Email    string     `json:"email"`
	FullName *string    `json:"full_name"`
	JoinedAt time.Time  `json:"joined_at"`
	Role     string     `json:"role"`
	TeamID   *uuid.UUID `json:"team_id"`
	TeamName *string    `json:"team_name"`
	UserID   uuid.UUID  `json:"user_id"`
	Username string     `json:"username"`
}

// memberList is the 200 answer of ListMembers, encoded straight from the store's rows.
type memberList []store.MemberView

// VisitListMembersResponse writes the rows as api.ListMembers200JSONResponse would.
func (l memberList) VisitListMembersResponse(w http.ResponseWriter) error {
	out := make([]memberJSON, len(l))
	teams := make([]uuid.UUID, len(l))
	for i := range l {
		v := &l[i]
		out[i] = memberJSON{Email: v.Email, FullName: v.FullName, JoinedAt: v.JoinedAt, Role: v.Role,
			TeamName: v.TeamName, UserID: uuidOf(v.UserID), Username: v.Username}
		if v.TeamID != nil {
			teams[i] = uuidOf(*v.TeamID)
			out[i].TeamID = &teams[i]
		}
	}
	return writePooledJSON(w, http.StatusOK, out)
}

// profileJSON is api.UserProfile with plain pointers for its nullable fields (same fields,
// same order, same bytes; the email keeps its type, whose encoder checks it).
type profileJSON struct {
	AvatarURL     *string             `json:"avatar_url"`
	CreatedAt     time.Time           `json:"created_at"`
	Email         openapi_types.Email `json:"email"`
	FullName      *string             `json:"full_name"`
	ID            uuid.UUID           `json:"id"`
	Language      string              `json:"language"`
	LiveNickname  *string             `json:"live_nickname"`
	Plan          string              `json:"plan"`
	PublicProfile bool                `json:"public_profile"`
	Role          string              `json:"role"`
	Timezone      string              `json:"timezone"`
	UpdatedAt     time.Time           `json:"updated_at"`
	Username      string              `json:"username"`
}

// meProfile is the 200 answer of GetMe, encoded straight from the user row.
type meProfile struct{ u *store.User }

// VisitGetMeResponse writes the profile as api.GetMe200JSONResponse would.
func (m meProfile) VisitGetMeResponse(w http.ResponseWriter) error {
	u := m.u
	return writePooledJSON(w, http.StatusOK, &profileJSON{
		AvatarURL: u.AvatarURL, CreatedAt: u.CreatedAt, Email: openapi_types.Email(u.Email), FullName: u.FullName,
		ID: uuidOf(u.ID), Language: u.Language, LiveNickname: u.LiveNickname, Plan: u.Plan,
		PublicProfile: u.PublicProfile, Role: u.Role, Timezone: u.Timezone, UpdatedAt: u.UpdatedAt, Username: u.Username,
	})
}
