package store

import (
	"context"
	"fmt"
	"time"
)

// LiveTranscript is the transcript of one Live conversation, owned by UserID. Its turns are
// rows of live_transcript_turns (transcript_id, seq, role, text, spoken_at): content search
// joins them to live_transcripts on transcript_id and filters by user_id.
type LiveTranscript struct {
	ID               string `gorm:"primaryKey"`
	UserID           string
	SessionID        *string
	SessionStartedAt time.Time
	SessionEndedAt   time.Time
	TurnCount        int
	CreatedAt        time.Time
}

// LiveTranscriptTurn is one utterance of a transcript; Seq orders them from 0.
type LiveTranscriptTurn struct {
	TranscriptID string `gorm:"primaryKey"`
	Seq          int    `gorm:"primaryKey"`
	Role         string
	Text         string
	SpokenAt     time.Time
}

// ErrTranscriptExists: the session already has a transcript.
var ErrTranscriptExists = fmt.Errorf("%w: the live session already has a transcript", ErrConflict)

// turnBatch keeps multi-row inserts well under both dialects' bound-parameter limits.
const turnBatch = 1000

// CreateLiveTranscript stores t and its turns (numbered in order) in one transaction, with
// their search index entries, filling id, turn count and creation time. A second transcript for one session is ErrTranscriptExists.
func (s *Store) CreateLiveTranscript(ctx context.Context, t *LiveTranscript, turns []LiveTranscriptTurn) error {
	t.ID = NewID()
	t.CreatedAt = s.Now()
	t.TurnCount = len(turns)
	for i := range turns {
		turns[i].TranscriptID, turns[i].Seq = t.ID, i
	}
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.q(ctx).Create(t).Error; err != nil {
			return err
		}
		if err := tx.q(ctx).CreateInBatches(turns, turnBatch).Error; err != nil {
			return err
		}
		return tx.indexTranscript(ctx, t, turns)
	})
	if IsDuplicate(err) {
		return ErrTranscriptExists
	}
	return err
}

// ListLiveTranscripts returns userID's transcripts, newest session first.
func (s *Store) ListLiveTranscripts(ctx context.Context, userID string, limit, offset int) ([]LiveTranscript, error) {
	rows := []LiveTranscript{}
	err := s.q(ctx).Where("user_id = ?", userID).Order("session_started_at DESC, id DESC").
		Limit(limit).Offset(offset).Find(&rows).Error
	return rows, err
}

// LiveTranscriptOf returns transcript id if it belongs to userID (ErrNotFound otherwise).
func (s *Store) LiveTranscriptOf(ctx context.Context, id, userID string) (*LiveTranscript, error) {
	var t LiveTranscript
	err := s.q(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&t).Error
	return &t, notFound(err)
}

// LiveTranscriptOfSession returns the transcript of a session of userID (ErrNotFound when none).
func (s *Store) LiveTranscriptOfSession(ctx context.Context, sessionID, userID string) (*LiveTranscript, error) {
	var t LiveTranscript
	err := s.q(ctx).Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&t).Error
	return &t, notFound(err)
}

// LiveTranscriptTurns returns a transcript's turns in order. Callers check ownership first
// (LiveTranscriptOf); search joins the table itself.
func (s *Store) LiveTranscriptTurns(ctx context.Context, transcriptID string) ([]LiveTranscriptTurn, error) {
	turns := []LiveTranscriptTurn{}
	err := s.q(ctx).Where("transcript_id = ?", transcriptID).Order("seq").Find(&turns).Error
	return turns, err
}
