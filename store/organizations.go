package store

import (
	"context"
	"time"
)

// Organization groups users into teams under admins and managers.
type Organization struct {
	ID          string `gorm:"primaryKey"`
	Name        string
	Slug        string
	Description *string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// OrganizationByID loads an organization.
func (s *Store) OrganizationByID(ctx context.Context, id string) (*Organization, error) {
	var o Organization
	err := s.q(ctx).Where("id = ?", id).Take(&o).Error
	return &o, notFound(err)
}
