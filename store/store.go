// Package store persists Xentree data with GORM, over PostgreSQL in production or an
// embedded pure-Go SQLite file by default. One file per entity holds its model and queries;
// migrations are versioned SQL per dialect, embedded in the binary and applied with goose.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver migrations connect with
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/xentree/xentree-api/internal/clock"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the database engine behind a Store.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store is the handle every query goes through. Inside a transaction it wraps the
// transaction's *gorm.DB, so the same methods work in and out of transactions.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	// migrateURL is the PostgreSQL URL migrations connect with (their own bounds).
	migrateURL string
	log        *slog.Logger
	clock      clock.Clock
	stop       chan struct{}
	wg         *sync.WaitGroup
	inTx       bool
}

// IsPostgres reports whether the URL names a PostgreSQL database rather than a SQLite file.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Options bound how long the database may keep a request waiting. A zero duration disables
// that bound.
type Options struct {
	// StatementTimeout caps one statement (PostgreSQL statement_timeout).
	StatementTimeout time.Duration
	// LockTimeout caps one wait for a lock: PostgreSQL lock_timeout (row locks, advisory
	// locks), SQLite busy_timeout (the write lock).
	LockTimeout time.Duration
	// IdleInTxTimeout ends a session whose transaction sits idle that long, releasing its
	// locks (PostgreSQL idle_in_transaction_session_timeout).
	IdleInTxTimeout time.Duration
	// MigrationURL, PostgreSQL only, is what migrations connect to instead of the main URL.
	// Their lock is a session-level advisory lock, so it must reach a real session:
	// PostgreSQL itself or a session-mode pooler, never PgBouncer in transaction mode.
	MigrationURL string
}

// DefaultOptions are the bounds Open applies.
func DefaultOptions() Options {
	return Options{StatementTimeout: 30 * time.Second, LockTimeout: 10 * time.Second, IdleInTxTimeout: time.Minute}
}

// Open connects to url (see OpenWith) with DefaultOptions.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	return OpenWith(ctx, url, log, DefaultOptions())
}

// OpenWith connects to url: a postgres:// URL, or a SQLite file path (created with its
// folder). On PostgreSQL the bounds of opts are set on every connection of the pool, as
// startup parameters (a value already in the URL is replaced).
func OpenWith(ctx context.Context, url string, log *slog.Logger, opts Options) (*Store, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
	}
	s := &Store{log: log, clock: clock.System{}, stop: make(chan struct{}), wg: &sync.WaitGroup{}}
	cfg.NowFunc = s.Now
	var err error
	if IsPostgres(url) {
		s.dialect = Postgres
		// Migrations run on a pool of their own: no statement or idle bound (building an index
		// may take long), the same lock bound (DDL queued behind a long lock would queue every
		// query behind itself).
		migrate := url
		if opts.MigrationURL != "" {
			migrate = opts.MigrationURL
		}
		if s.migrateURL, err = withParams(migrate, Options{LockTimeout: opts.LockTimeout}); err != nil {
			return nil, err
		}
		var dsn string
		if dsn, err = withParams(url, opts); err != nil {
			return nil, err
		}
		s.db, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		s.dialect = SQLite
		if dir := filepath.Dir(url); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		// BEGIN IMMEDIATE takes the write lock up front so concurrent write transactions
		// queue on busy_timeout instead of failing with SQLITE_BUSY on upgrade.
		busy := opts.LockTimeout.Milliseconds()
		if busy <= 0 {
			busy = math.MaxInt32 // no bound; SQLite's 0 would mean "never wait"
		}
		// A file: URI: '%', '?' and '#' in the path must be escaped or they cut it short.
		dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(url) + fmt.Sprintf("?_pragma=busy_timeout(%d)", busy) +
			"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
		s.db, err = gorm.Open(sqlite.Open(dsn), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := classifyErrors(s.db); err != nil {
		return nil, err
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	// Every open connection may stay idle: with fewer idle slots than open ones, a steady
	// load above the idle limit closes and reopens connections all the time (a PostgreSQL
	// backend start each). Idle ones still close after ConnMaxIdleTime once load drops.
	open := 8
	if s.dialect == Postgres {
		open = 20
	}
	sqlDB.SetMaxOpenConns(open)
	sqlDB.SetMaxIdleConns(open)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if s.dialect == SQLite {
		s.checkpoint()
		s.wg.Add(1)
		go s.checkpointLoop()
	}
	return s, nil
}

// withParams sets the PostgreSQL bounds of opts as startup parameters of url (milliseconds;
// 0 disables).
func withParams(raw string, opts Options) (string, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	for k, d := range map[string]time.Duration{
		"statement_timeout":                   opts.StatementTimeout,
		"lock_timeout":                        opts.LockTimeout,
		"idle_in_transaction_session_timeout": opts.IdleInTxTimeout,
	} {
		q.Set(k, strconv.FormatInt(d.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// UseClock replaces the store's time source (tests install a clock.Manual before serving).
// The server reads the same clock, so the whole process has one notion of now.
func (s *Store) UseClock(c clock.Clock) { s.clock = c }

// Clock is the store's time source, shared with the server.
func (s *Store) Clock() clock.Clock { return s.clock }

// Now is the current time as stored: UTC at microsecond precision, the finest both dialects keep.
func (s *Store) Now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// NewID returns a new UUIDv7 (time-ordered) id.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// InTx reports whether s is bound to a transaction (the Store that Tx hands to its fn).
func (s *Store) InTx() bool { return s.inTx }

// Dialect reports the database engine.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the underlying *gorm.DB bound to ctx (for tests and tools).
func (s *Store) DB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Migrate applies every pending migration of the store's dialect.
func (s *Store) Migrate(ctx context.Context) error { return s.MigrateTo(ctx, math.MaxInt64) }

// MigrateTo applies the pending migrations up to version (tests of a migration's data changes
// start from the version before it).
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if s.dialect == Postgres {
		if sqlDB, err = sql.Open("pgx", s.migrateURL); err != nil {
			return err
		}
		defer sqlDB.Close()
	}
	dir, dialect := "migrations/postgres", goose.DialectPostgres
	if s.dialect == SQLite {
		dir, dialect = "migrations/sqlite", goose.DialectSQLite3
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		// Replicas starting together take turns: an advisory lock held for the whole run.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 120))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	// SQLite has no advisory lock: processes opening one file together may race for the
	// same version. Each migration is transactional, so the loser rolls back cleanly and
	// simply looks again at what is pending.
	attempts := 1
	if s.dialect == SQLite {
		attempts = 5
	}
	for i := 1; ; i++ {
		res, err := p.UpTo(ctx, version)
		for _, r := range res {
			if r.Error == nil {
				s.log.Info("migration applied", "version", r.Source.Version, "path", r.Source.Path, "duration", r.Duration)
			}
		}
		if err == nil {
			return nil
		}
		if i == attempts || ctx.Err() != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		time.Sleep(time.Duration(i) * 50 * time.Millisecond)
	}
}

// Close stops background work, checkpoints the SQLite WAL and closes the pool.
func (s *Store) Close() error {
	close(s.stop)
	s.wg.Wait()
	if s.dialect == SQLite {
		s.checkpoint()
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction (BEGIN IMMEDIATE on SQLite). fn's Store is bound to it.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return classify(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c := *s
		c.db, c.inTx = tx, true
		return fn(&c)
	}))
}

func (s *Store) checkpointLoop() {
	defer s.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			// PASSIVE never waits on readers or holds up writers; TRUNCATE runs at open and close.
			if err := s.db.Exec("PRAGMA wal_checkpoint(PASSIVE)").Error; err != nil {
				s.log.Warn("sqlite checkpoint failed", "err", err)
			}
		}
	}
}

// checkpoint folds the WAL back into the database file so it cannot grow without bound
// under a steady write load (SQLite only checkpoints passively by itself).
func (s *Store) checkpoint() {
	if err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		s.log.Warn("sqlite checkpoint failed", "err", err)
	}
}

// forUpdate is q(ctx), locking the selected rows until commit on PostgreSQL. SQLite needs no
// row locks: its write transactions (BEGIN IMMEDIATE) are already serialized.
func (s *Store) forUpdate(ctx context.Context) *gorm.DB {
	if s.dialect == Postgres {
		return s.q(ctx).Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return s.q(ctx)
}

// q returns the store's db bound to ctx.
func (s *Store) q(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// affected is the outcome of an UPDATE or DELETE of one named row: its error, else
// ErrNotFound when no row matched.
func affected(res *gorm.DB) error {
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// notFound turns gorm's record-not-found into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
