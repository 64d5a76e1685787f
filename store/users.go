package store

import (
	"context"
	"time"
)

// User is a platform account.
type User struct {
	ID            string `gorm:"primaryKey"`
	Username      string
	Email         string
	PasswordHash  string
	FullName      *string
	Role          string
	Timezone      string
	Language      string
	AvatarURL     *string `gorm:"column:avatar_url"`
	LiveNickname  *string
	Plan          string
	PublicProfile bool
	DisabledAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Platform roles.
const (
	RoleUser       = "user"
	RoleSuperAdmin = "super_admin"
)

// CreateUser inserts u, filling id, defaults and timestamps. A taken username or email
// (in any case) gives ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.ID = NewID()
	u.CreatedAt = s.Now()
	u.UpdatedAt = u.CreatedAt
	if u.Role == "" {
		u.Role = RoleUser
	}
	if u.Plan == "" {
		u.Plan = "free"
	}
	if u.Timezone == "" {
		u.Timezone = "UTC"
	}
	if u.Language == "" {
		u.Language = "en"
	}
	if err := s.q(ctx).Create(u).Error; err != nil {
		if IsDuplicate(err) {
			return ErrConflict
		}
		return err
	}
	return nil
}

// UserByID loads a user.
func (s *Store) UserByID(ctx context.Context, id string) (*User, error) {
	var u User
	err := s.q(ctx).Where("id = ?", id).Take(&u).Error
	return &u, notFound(err)
}

// UserByLogin finds a user by username or email, case-insensitively.
func (s *Store) UserByLogin(ctx context.Context, login string) (*User, error) {
	var u User
	err := s.q(ctx).Where("lower(username) = lower(?) OR lower(email) = lower(?)", login, login).Take(&u).Error
	return &u, notFound(err)
}

// UserByUsername finds a user by username, case-insensitively.
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	var u User
	err := s.q(ctx).Where("lower(username) = lower(?)", username).Take(&u).Error
	return &u, notFound(err)
}

// UserByEmail finds a user by email, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.q(ctx).Where("lower(email) = lower(?)", email).Take(&u).Error
	return &u, notFound(err)
}

// UpdateUser writes exactly the columns in changes (plus updated_at) and reloads the user.
func (s *Store) UpdateUser(ctx context.Context, id string, changes map[string]any) (*User, error) {
	changes["updated_at"] = s.Now()
	err := affected(s.q(ctx).Model(&User{}).Where("id = ?", id).Updates(changes))
	if IsDuplicate(err) {
		return nil, ErrConflict
	}
	if err != nil {
		return nil, err
	}
	return s.UserByID(ctx, id)
}

// SetUserRole sets the platform role of the user named by username (operator command).
func (s *Store) SetUserRole(ctx context.Context, username, role string) error {
	return affected(s.q(ctx).Model(&User{}).Where("lower(username) = lower(?)", username).
		Updates(map[string]any{"role": role, "updated_at": s.Now()}))
}

// DeleteUser removes a user and, by cascade, everything that belongs to it.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return affected(s.q(ctx).Where("id = ?", id).Delete(&User{}))
}
