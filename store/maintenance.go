package store

import (
	"context"
	"time"
)

// MaintenanceJob records when a maintenance job last ran, for every replica to see.
type MaintenanceJob struct {
	Name      string `gorm:"primaryKey"`
	LastRunAt time.Time
}

// jobLockSpace is the first key of the PostgreSQL advisory locks of maintenance jobs (the
// second is hashtext of the job's name); two-key locks never collide with one-key ones.
const jobLockSpace = 0x78656a62 // "xejb"

// RunJob runs fn in one transaction when the job called name is due (never run, or last run
// at least every ago) and no other process is running it, then records the run in the same
// transaction. On PostgreSQL the job is claimed with pg_try_advisory_xact_lock, so a replica
// that finds it taken skips it instead of waiting; SQLite write transactions are serialized
// anyway, and the recorded run makes the next one skip. ran reports whether fn ran; n is
// what it returned.
func (s *Store) RunJob(ctx context.Context, name string, every time.Duration, fn func(tx *Store) (int64, error)) (ran bool, n int64, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		if s.dialect == Postgres {
			var claimed bool
			if err := tx.q(ctx).Raw("SELECT pg_try_advisory_xact_lock(?, hashtext(?))", jobLockSpace, name).Scan(&claimed).Error; err != nil {
				return err
			}
			if !claimed {
				return nil
			}
		}
		now := s.Now()
		var last []MaintenanceJob
		if err := tx.q(ctx).Where("name = ?", name).Limit(1).Find(&last).Error; err != nil {
			return err
		}
		if len(last) > 0 && now.Sub(last[0].LastRunAt) < every {
			return nil
		}
		var err error
		if n, err = fn(tx); err != nil {
			return err
		}
		ran = true
		return tx.q(ctx).Exec(`INSERT INTO maintenance_jobs (name, last_run_at) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET last_run_at = excluded.last_run_at`, name, now).Error
	})
	if err != nil {
		return false, 0, err
	}
	return ran, n, nil
}
