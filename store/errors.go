package store

import (
	"errors"

	"gorm.io/gorm"
)

// Domain sentinels. The server maps them to HTTP statuses in one place.
var (
	// ErrNotFound: the row does not exist (or is not visible to the caller).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique key is taken or the state forbids the change.
	ErrConflict = errors.New("conflict")
	// ErrLastAdmin: the change would leave an organization without an admin.
	ErrLastAdmin = errors.New("an organization must keep at least one admin")
)

// IsDuplicate reports whether err is a unique-key violation (translated by GORM).
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// IsForeignKey reports whether err is a foreign-key violation (translated by GORM).
func IsForeignKey(err error) bool { return errors.Is(err, gorm.ErrForeignKeyViolated) }
