package store

import (
	"context"
	"slices"
	"time"
)

// Conversation is one tutor conversation of UserID. Its turns are rows of
// conversation_messages, which repeat the owner's user_id (a composite foreign key keeps it
// equal to the conversation's), so per-user content search reads that table alone.
type Conversation struct {
	ID     string `gorm:"primaryKey"`
	UserID string
	Title  string
	// TitleFromChat: no title was given; the first message names the conversation.
	TitleFromChat bool
	Provider      string
	// Model nil is the provider's default.
	Model          *string
	SystemPrompt   *string
	MessageCount   int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastMessageAt  *time.Time
	LastActivityAt time.Time
}

// ConversationMessage is one turn of a conversation, plain text; Seq orders them from 0.
// Provider and Model name what answered an assistant turn.
type ConversationMessage struct {
	ID             string `gorm:"primaryKey"`
	ConversationID string
	UserID         string
	Seq            int
	Role           string
	Content        string
	Provider       *string
	Model          *string
	CreatedAt      time.Time
}

// The roles of stored messages.
const (
	RoleUserMessage      = "user"
	RoleAssistantMessage = "assistant"
)

// CreateConversation inserts c as a new, empty conversation, filling its id and times.
func (s *Store) CreateConversation(ctx context.Context, c *Conversation) error {
	now := s.Now()
	c.ID = NewID()
	c.MessageCount, c.LastMessageAt = 0, nil
	c.CreatedAt, c.UpdatedAt, c.LastActivityAt = now, now, now
	return s.q(ctx).Create(c).Error
}

// ConversationOf returns conversation id if it belongs to userID (ErrNotFound otherwise).
func (s *Store) ConversationOf(ctx context.Context, id, userID string) (*Conversation, error) {
	var c Conversation
	err := s.q(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&c).Error
	return &c, notFound(err)
}

// LockConversation is ConversationOf holding the conversation's row lock until the transaction
// ends. Every write to a conversation, its messages and its learning sessions takes it first,
// so they serialize across replicas (SQLite write transactions are serialized already).
func (s *Store) LockConversation(ctx context.Context, id, userID string) (*Conversation, error) {
	var c Conversation
	err := s.forUpdate(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&c).Error
	return &c, notFound(err)
}

// ListConversations returns userID's conversations, most recently active first.
func (s *Store) ListConversations(ctx context.Context, userID string, limit, offset int) ([]Conversation, error) {
	rows := []Conversation{}
	err := s.q(ctx).Where("user_id = ?", userID).Order("last_activity_at DESC, id DESC").
		Limit(limit).Offset(offset).Find(&rows).Error
	return rows, err
}

// DeleteConversation deletes conversation id; its messages and learning sessions go with it
// (ON DELETE CASCADE, in the same statement).
func (s *Store) DeleteConversation(ctx context.Context, id string) error {
	return affected(s.q(ctx).Where("id = ?", id).Delete(&Conversation{}))
}

// RecentMessages returns the newest n messages of a conversation, oldest first. Callers check
// ownership first (ConversationOf).
func (s *Store) RecentMessages(ctx context.Context, conversationID string, n int) ([]ConversationMessage, error) {
	rows := []ConversationMessage{}
	if n <= 0 {
		return rows, nil
	}
	err := s.q(ctx).Where("conversation_id = ?", conversationID).Order("seq DESC").Limit(n).Find(&rows).Error
	slices.Reverse(rows)
	return rows, err
}

// ListMessages returns a page of a conversation's messages, oldest first. Callers check
// ownership first (ConversationOf).
func (s *Store) ListMessages(ctx context.Context, conversationID string, limit, offset int) ([]ConversationMessage, error) {
	rows := []ConversationMessage{}
	err := s.q(ctx).Where("conversation_id = ?", conversationID).Order("seq").Limit(limit).Offset(offset).Find(&rows).Error
	return rows, err
}

// AppendMessages stores msgs as the next turns of conversation id of userID, in one transaction:
// ids, owner, numbering and times filled in (each message's CreatedAt is kept when set). The
// conversation's count, activity times and, while it has none of its own, its title (set to
// title) move in the same statement that takes its row lock and allots the numbers, so
// concurrent exchanges in one conversation never interleave or share a number. ErrNotFound when
// the conversation is not userID's (or is gone).
func (s *Store) AppendMessages(ctx context.Context, id, userID, title string, msgs []ConversationMessage) error {
	now := s.Now()
	return s.Tx(ctx, func(tx *Store) error {
		var count []int
		err := tx.q(ctx).Raw(`UPDATE conversations SET message_count = message_count + ?, last_message_at = ?, last_activity_at = ?,
  updated_at = ?, title = CASE WHEN title_from_chat THEN ? ELSE title END, title_from_chat = ?
WHERE id = ? AND user_id = ? RETURNING message_count`, len(msgs), now, now, now, title, false, id, userID).Scan(&count).Error
		if err != nil {
			return err
		}
		if len(count) == 0 {
			return ErrNotFound
		}
		first := count[0] - len(msgs)
		for i := range msgs {
			m := &msgs[i]
			m.ID, m.ConversationID, m.UserID, m.Seq = NewID(), id, userID, first+i
			if m.CreatedAt.IsZero() {
				m.CreatedAt = now
			}
		}
		return tx.q(ctx).Create(&msgs).Error
	})
}
