package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/xentree/xentree-api/internal/xel"
)

// XELModule mirrors a module of the Xentree English catalogue: its public content, so the
// progress and history that reference it stay readable after it is retired from the files.
type XELModule struct {
	ID               string `gorm:"primaryKey"`
	Slug             string
	Title            string
	Description      string
	Level            string
	Skill            string
	EstimatedMinutes int
	MaterialKind     *string
	MaterialTitle    *string
	MaterialText     *string
	TaskCount        int
	Fingerprint      string
	RetiredAt        *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName maps XELModule to xel_modules.
func (XELModule) TableName() string { return "xel_modules" }

// XELTask mirrors a task of the catalogue: what a learner sees, never the grading key (which
// ships with the binary in content/xel).
type XELTask struct {
	ID          string `gorm:"primaryKey"`
	ModuleID    string
	Slug        string
	Position    int
	Type        string
	Prompt      string
	Options     *string // JSON array, multiple_choice and reorder only
	Blanks      *int
	MinWords    *int
	MaxWords    *int
	TargetLevel *string
	RetiredAt   *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName maps XELTask to xel_tasks.
func (XELTask) TableName() string { return "xel_tasks" }

// XELTaskProgress is a learner's record on one task. Submissions lock it (LockXELTaskProgress)
// before anything else, so the first pass of a task is decided once.
type XELTaskProgress struct {
	UserID    string `gorm:"primaryKey"`
	TaskID    string `gorm:"primaryKey"`
	ModuleID  string
	Attempts  int
	BestScore *float64
	// Revealed: an objective submission that did not pass showed the expected answer.
	Revealed  bool
	PassedAt  *time.Time
	XPAwarded int `gorm:"column:xp_awarded"`
	FirstAt   *time.Time
	LastAt    *time.Time
}

// TableName maps XELTaskProgress to xel_task_progress.
func (XELTaskProgress) TableName() string { return "xel_task_progress" }

// XELSubmission is one graded submission, kept as the learner's history.
type XELSubmission struct {
	ID             string `gorm:"primaryKey"`
	UserID         string
	ModuleID       string
	TaskID         string
	Attempt        int
	Answer         *string
	OrderedItems   *string // JSON array
	Score          float64
	Correct        *bool
	Passed         bool
	Feedback       string
	ExpectedAnswer *string
	// Evaluation is the evaluation of a writing or speaking answer (JSON), with its CEFR
	// estimate and the evaluator that produced it.
	Evaluation        *string
	CEFREstimate      *string `gorm:"column:cefr_estimate"`
	EvaluatorProvider *string
	EvaluatorModel    *string
	XPAwarded         int `gorm:"column:xp_awarded"`
	ActiveSeconds     int
	CreatedAt         time.Time
}

// TableName maps XELSubmission to xel_submissions.
func (XELSubmission) TableName() string { return "xel_submissions" }

// xelMirrorVersion is part of every stored fingerprint: bump it when the mapping from files to
// rows changes, so the next start rewrites every row even though no file changed.
const xelMirrorVersion = "1"

// xelLockSpace is the first key of the advisory lock replicas take to sync the catalogue.
const xelLockSpace = 0x78656c63 // "xelc"

// XELSyncReport says what SyncXELCatalogue did.
type XELSyncReport struct {
	// Modules and Tasks are the catalogue's (current) counts.
	Modules, Tasks int
	// Written counts rows inserted or updated (new or edited content, or un-retired);
	// Retired counts rows retired because their module or task left the files.
	ModulesWritten, TasksWritten, ModulesRetired, TasksRetired int
}

// Changed reports whether the sync wrote anything.
func (r XELSyncReport) Changed() bool {
	return r.ModulesWritten+r.TasksWritten+r.ModulesRetired+r.TasksRetired > 0
}

// SyncXELCatalogue mirrors cat into the database, idempotently: modules and tasks are upserted by
// their stable ids (edited content updates the rows), modules and tasks no longer in cat are
// retired (retired_at set; rows are never deleted, so progress and history keep them), and a
// module whose file is unchanged (same fingerprint) is skipped, so a sync with nothing changed
// writes nothing: it reads the fingerprints and returns without a write transaction. Replicas
// starting together take turns (an advisory lock on PostgreSQL; SQLite serializes writers) and
// the later ones find nothing left to write.
func (s *Store) SyncXELCatalogue(ctx context.Context, cat *xel.Catalogue) (XELSyncReport, error) {
	rep := XELSyncReport{Modules: len(cat.Modules())}
	for _, m := range cat.Modules() {
		rep.Tasks += len(m.Tasks)
	}
	if changed, err := s.xelCatalogueChanged(ctx, cat); err != nil || !changed {
		return rep, err
	}
	err := s.Tx(ctx, func(tx *Store) error {
		if s.dialect == Postgres {
			if err := tx.q(ctx).Exec("SELECT pg_advisory_xact_lock(?, 0)", xelLockSpace).Error; err != nil {
				return err
			}
		}
		var rows []XELModule
		if err := tx.q(ctx).Select("id", "fingerprint", "retired_at").Find(&rows).Error; err != nil {
			return err
		}
		stored := make(map[string]XELModule, len(rows))
		for _, r := range rows {
			stored[r.ID] = r
		}
		now := s.Now()
		for _, m := range cat.Modules() {
			id := m.ID.String()
			r, ok := stored[id]
			delete(stored, id)
			if ok && r.Fingerprint == xelFingerprint(m) && r.RetiredAt == nil {
				continue
			}
			written, retired, err := tx.writeXELModule(ctx, m, now)
			if err != nil {
				return err
			}
			rep.ModulesWritten++
			rep.TasksWritten += written
			rep.TasksRetired += retired
		}
		for id, r := range stored { // modules that left the files
			if r.RetiredAt != nil {
				continue
			}
			if err := tx.q(ctx).Model(&XELModule{}).Where("id = ?", id).Updates(map[string]any{"retired_at": now, "updated_at": now}).Error; err != nil {
				return err
			}
			res := tx.q(ctx).Model(&XELTask{}).Where("module_id = ? AND retired_at IS NULL", id).Updates(map[string]any{"retired_at": now, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			rep.ModulesRetired++
			rep.TasksRetired += int(res.RowsAffected)
		}
		return nil
	})
	return rep, err
}

// xelCatalogueChanged compares the stored fingerprints with cat's, without locking anything.
func (s *Store) xelCatalogueChanged(ctx context.Context, cat *xel.Catalogue) (bool, error) {
	var rows []XELModule
	if err := s.q(ctx).Select("id", "fingerprint").Where("retired_at IS NULL").Find(&rows).Error; err != nil {
		return false, err
	}
	if len(rows) != len(cat.Modules()) {
		return true, nil
	}
	for _, r := range rows {
		id, err := uuid.Parse(r.ID)
		if err != nil {
			return true, nil
		}
		m, ok := cat.Module(id)
		if !ok || r.Fingerprint != xelFingerprint(m) {
			return true, nil
		}
	}
	return false, nil
}

// writeXELModule upserts m and its tasks and retires the module's tasks no longer in it.
func (s *Store) writeXELModule(ctx context.Context, m *xel.Module, now time.Time) (written, retired int, err error) {
	row := XELModule{ID: m.ID.String(), Slug: m.Slug, Title: m.Title, Description: m.Description,
		Level: string(m.Level), Skill: string(m.Skill), EstimatedMinutes: m.EstimatedMinutes,
		TaskCount: len(m.Tasks), Fingerprint: xelFingerprint(m), CreatedAt: now, UpdatedAt: now}
	if mat := m.Material; mat != nil {
		kind := string(mat.Kind)
		row.MaterialKind, row.MaterialTitle, row.MaterialText = &kind, &mat.Title, &mat.Text
	}
	err = s.q(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"slug": row.Slug, "title": row.Title, "description": row.Description, "level": row.Level, "skill": row.Skill,
			"estimated_minutes": row.EstimatedMinutes, "material_kind": row.MaterialKind, "material_title": row.MaterialTitle,
			"material_text": row.MaterialText, "task_count": row.TaskCount, "fingerprint": row.Fingerprint,
			"retired_at": nil, "updated_at": now,
		}),
	}).Create(&row).Error
	if err != nil {
		return 0, 0, err
	}
	tasks := make([]XELTask, len(m.Tasks))
	ids := make([]string, len(m.Tasks))
	for i, t := range m.Tasks {
		tasks[i] = XELTask{ID: t.ID.String(), ModuleID: row.ID, Slug: t.Slug, Position: t.Position, Type: string(t.Type),
			Prompt: t.Prompt, Blanks: positive(t.Blanks), MinWords: positive(t.MinWords), MaxWords: positive(t.MaxWords),
			CreatedAt: now, UpdatedAt: now}
		if t.Options != nil {
			b, _ := json.Marshal(t.Options)
			opts := string(b)
			tasks[i].Options = &opts
		}
		if t.TargetLevel != "" {
			lvl := string(t.TargetLevel)
			tasks[i].TargetLevel = &lvl
		}
		ids[i] = tasks[i].ID
	}
	err = s.q(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "id"}},
		DoUpdates: append(clause.AssignmentColumns([]string{"slug", "position", "type", "prompt", "options", "blanks",
			"min_words", "max_words", "target_level", "updated_at"}), clause.Assignment{Column: clause.Column{Name: "retired_at"}, Value: nil}),
	}).Create(&tasks).Error
	if err != nil {
		return 0, 0, err
	}
	res := s.q(ctx).Model(&XELTask{}).Where("module_id = ? AND retired_at IS NULL AND id NOT IN ?", row.ID, ids).
		Updates(map[string]any{"retired_at": now, "updated_at": now})
	return len(tasks), int(res.RowsAffected), res.Error
}

func xelFingerprint(m *xel.Module) string { return m.Fingerprint + "/" + xelMirrorVersion }

func positive(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

// LockXELTaskProgress returns userID's record on a task, creating it at the first submission,
// row-locked until the transaction ends (PostgreSQL; SQLite write transactions are serialized
// already). Call it inside a transaction, before the ledger's lock (the order every submission
// takes them in).
func (s *Store) LockXELTaskProgress(ctx context.Context, userID, moduleID, taskID string) (*XELTaskProgress, error) {
	err := s.q(ctx).Exec(`INSERT INTO xel_task_progress (user_id, task_id, module_id) VALUES (?, ?, ?)
ON CONFLICT (user_id, task_id) DO NOTHING`, userID, taskID, moduleID).Error
	if err != nil {
		return nil, err
	}
	var p XELTaskProgress
	err = s.forUpdate(ctx).Where("user_id = ? AND task_id = ?", userID, taskID).Take(&p).Error
	return &p, notFound(err)
}

// SaveXELTaskProgress writes the record's counters (the row exists: LockXELTaskProgress made it).
func (s *Store) SaveXELTaskProgress(ctx context.Context, p *XELTaskProgress) error {
	return affected(s.q(ctx).Model(&XELTaskProgress{}).Where("user_id = ? AND task_id = ?", p.UserID, p.TaskID).Updates(map[string]any{
		"attempts": p.Attempts, "best_score": p.BestScore, "revealed": p.Revealed, "passed_at": p.PassedAt,
		"xp_awarded": p.XPAwarded, "first_at": p.FirstAt, "last_at": p.LastAt,
	}))
}

// XELTaskRecord is what the progress reads need of a learner's record on a task.
type XELTaskRecord struct {
	TaskID    string
	Attempts  int
	BestScore float64
	Passed    bool
	LastAt    time.Time
}

// XELTaskRecords reads userID's records on every task attempted (moduleID "") or on one
// module's: the columns progress needs, one timestamp to parse per row.
func (s *Store) XELTaskRecords(ctx context.Context, userID, moduleID string) ([]XELTaskRecord, error) {
	q := s.q(ctx).Model(&XELTaskProgress{}).Select("task_id, attempts, best_score, passed_at IS NOT NULL AS passed, last_at").
		Where("user_id = ? AND attempts > 0", userID)
	if moduleID != "" {
		q = q.Where("module_id = ?", moduleID)
	}
	var rows []XELTaskRecord
	err := q.Scan(&rows).Error
	return rows, err
}

// CreateXELSubmission records a graded submission (its id and time set by the caller).
func (s *Store) CreateXELSubmission(ctx context.Context, sub *XELSubmission) error {
	return s.q(ctx).Create(sub).Error
}

// LastXELSubmissionAt is when userID last submitted anything (nil before the first submission).
func (s *Store) LastXELSubmissionAt(ctx context.Context, userID string) (*time.Time, error) {
	var rows []XELSubmission
	err := s.q(ctx).Select("created_at").Where("user_id = ?", userID).Order("created_at DESC").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0].CreatedAt, nil
}

// XELActivity is a submission with the module's title and the task's type, for the dashboard.
type XELActivity struct {
	XELSubmission
	ModuleTitle string
	TaskType    string
}

// RecentXELActivity lists userID's latest submissions, newest first, retired modules and tasks
// included.
func (s *Store) RecentXELActivity(ctx context.Context, userID string, limit int) ([]XELActivity, error) {
	var rows []XELActivity
	err := s.q(ctx).Table("xel_submissions AS s").
		Select("s.id, s.module_id, s.task_id, s.score, s.passed, s.xp_awarded, s.created_at, m.title AS module_title, t.type AS task_type").
		Joins("JOIN xel_modules m ON m.id = s.module_id").Joins("JOIN xel_tasks t ON t.id = s.task_id").
		Where("s.user_id = ?", userID).Order("s.created_at DESC, s.id DESC").Limit(limit).Scan(&rows).Error
	return rows, err
}

// RecentXELEstimates lists the CEFR estimates of userID's latest evaluated submissions (writing
// and speaking), newest first.
func (s *Store) RecentXELEstimates(ctx context.Context, userID string, limit int) ([]string, error) {
	var levels []string
	err := s.q(ctx).Model(&XELSubmission{}).Where("user_id = ? AND cefr_estimate IS NOT NULL", userID).
		Order("created_at DESC, id DESC").Limit(limit).Pluck("cefr_estimate", &levels).Error
	return levels, err
}
