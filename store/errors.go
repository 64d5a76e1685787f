package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
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

// Database faults, marked on the errors of every query and transaction (the cause stays in the
// chain), so the server answers them as an outage rather than a bug.
var (
	// ErrTimeout: the database gave up on the request: a statement or lock timeout, an idle
	// transaction ended (PostgreSQL), the write lock not had within busy_timeout (SQLite), or
	// the request's deadline.
	ErrTimeout = errors.New("database timeout")
	// ErrUnavailable: the database cannot be reached: no connection, a connection lost, a
	// server shutting down or out of connections.
	ErrUnavailable = errors.New("database unavailable")
)

// classify marks a database fault with ErrTimeout or ErrUnavailable. It only ever sees errors
// from the database driver, which is what makes a bare network error or an unexpected EOF
// mean "the database connection broke".
func classify(err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, ErrTimeout), errors.Is(err, ErrUnavailable):
		return err
	case isTimeout(err):
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	case isUnavailable(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

func isTimeout(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57014", "55P03", "25P03": // query_canceled (statement_timeout), lock_not_available, idle_in_transaction_session_timeout
			return true
		}
	}
	// The SQLite driver's *Error: SQLITE_BUSY and its extended codes.
	var se interface{ Code() int }
	if errors.As(err, &se) && se.Code()&0xff == 5 {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || // connection exception
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// classifyErrors makes every query's error go through classify.
func classifyErrors(db *gorm.DB) error {
	fn := func(tx *gorm.DB) {
		if tx.Error != nil {
			tx.Error = classify(tx.Error)
		}
	}
	cb := db.Callback()
	for _, p := range []interface {
		Register(name string, fn func(*gorm.DB)) error
	}{cb.Create(), cb.Query(), cb.Update(), cb.Delete(), cb.Row(), cb.Raw()} {
		if err := p.Register("xentree:classify_errors", fn); err != nil {
			return err
		}
	}
	return nil
}
