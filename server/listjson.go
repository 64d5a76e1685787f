package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

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
