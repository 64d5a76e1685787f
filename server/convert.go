package server

import (
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	"github.com/xentree/xentree-api/internal/names"
)

// uuidOf parses an id stored by the store (always a valid UUID).
func uuidOf(id string) uuid.UUID { return uuid.MustParse(id) }

// nullableOf maps a nullable column to an always-present, possibly-null JSON field.
func nullableOf[T any](v *T) nullable.Nullable[T] {
	if v == nil {
		return nullable.NewNullNullable[T]()
	}
	return nullable.NewNullableWithValue(*v)
}

// nullableUUID maps a nullable id column.
func nullableUUID(id *string) nullable.Nullable[uuid.UUID] {
	if id == nil {
		return nullable.NewNullNullable[uuid.UUID]()
	}
	return nullable.NewNullableWithValue(uuidOf(*id))
}

// nullableString maps a specified Nullable request field to a column value (nil for null).
func nullableString(n nullable.Nullable[string]) *string {
	if n.IsNull() {
		return nil
	}
	v := n.MustGet()
	return &v
}

// emptyToNil treats an absent or empty optional string as NULL.
func emptyToNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// cleanText makes client-supplied header text storable: valid UTF-8, at most n bytes, cut on
// a character boundary.
func cleanText(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// errInvalidName: a display name that is blank or hides text (control or format characters
// such as U+202E, which flips how the rest of a line is shown; fillers such as U+3164).
var errInvalidName = unprocessable("invalid_name", "Names must not be blank or contain control, invisible or unassigned characters")

// cleanName normalizes a display name (names.Clean) and refuses blank and hidden ones.
func cleanName(s string) (string, error) {
	s, err := names.Clean(s)
	if err != nil {
		return "", errInvalidName
	}
	return s, nil
}

// cleanOptionalName is cleanName for an optional name; absent stays nil.
func cleanOptionalName(s *string) (*string, error) {
	if s == nil {
		return nil, nil
	}
	v, err := cleanName(*s)
	return &v, err
}
