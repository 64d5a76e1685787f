package store

import (
	"unicode"

	"context"
	"fmt"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// OrgSummary is an organization as one viewer sees it: with its member count and the
// viewer's role (nil when the viewer is not a member).
type OrgSummary struct {
	Organization
	MemberCount int
	MyRole      *string
}

// OrgFilter selects the organizations ListOrganizations returns.
type OrgFilter struct {
	// ViewerID fills MyRole; without All only the viewer's organizations are listed.
	ViewerID string
	All      bool
	// OnlyID, when set, restricts the list to that organization (an API key's tenancy).
	OnlyID        string
	Limit, Offset int
}

// ErrSlugTaken: an explicitly requested slug is in use (in any case).
var ErrSlugTaken = fmt.Errorf("%w: slug taken", ErrConflict)

// slugAttempts bounds the retries of a derived slug that a concurrent create with an explicit
// slug took first.
const slugAttempts = 5

// maxDerivedSlug leaves a derived slug room for a "-N" suffix within the 64-character limit.
const maxDerivedSlug = 56

// OrganizationByID loads an organization.
func (s *Store) OrganizationByID(ctx context.Context, id string) (*Organization, error) {
	var o Organization
	err := s.q(ctx).Where("id = ?", id).Take(&o).Error
	return &o, notFound(err)
}

func (s *Store) orgSummaries(ctx context.Context, viewerID string) *gorm.DB {
	return s.q(ctx).Table("organizations").
		Select("organizations.*, me.role AS my_role, "+
			"(SELECT count(*) FROM memberships m WHERE m.organization_id = organizations.id) AS member_count").
		Joins("LEFT JOIN memberships me ON me.organization_id = organizations.id AND me.user_id = ?", viewerID)
}

// OrgSummary loads one organization as viewerID sees it.
func (s *Store) OrgSummary(ctx context.Context, id, viewerID string) (*OrgSummary, error) {
	var rows []OrgSummary
	if err := s.orgSummaries(ctx, viewerID).Where("organizations.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// ListOrganizations returns the organizations f selects, oldest first.
func (s *Store) ListOrganizations(ctx context.Context, f OrgFilter) ([]OrgSummary, error) {
	q := s.orgSummaries(ctx, f.ViewerID)
	if !f.All {
		q = q.Where("me.user_id IS NOT NULL")
	}
	if f.OnlyID != "" {
		q = q.Where("organizations.id = ?", f.OnlyID)
	}
	rows := []OrgSummary{}
	err := q.Order("organizations.created_at, organizations.id").Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	return rows, err
}

// CreateOrganization inserts o with adminID as its first admin. An empty o.Slug is derived
// from the name, with "-2", "-3"… appended until it is free; an explicit slug that is taken
// gives ErrSlugTaken.
func (s *Store) CreateOrganization(ctx context.Context, o *Organization, adminID string) error {
	derive := o.Slug == ""
	base := DeriveSlug(o.Name)
	for range slugAttempts {
		err := s.Tx(ctx, func(tx *Store) error {
			if derive {
				slug, err := tx.freeSlug(ctx, base)
				if err != nil {
					return err
				}
				o.Slug = slug
			}
			o.ID = NewID()
			o.CreatedAt = s.Now()
			o.UpdatedAt = o.CreatedAt
			if err := tx.q(ctx).Create(o).Error; err != nil {
				return err
			}
			return tx.q(ctx).Create(&Membership{OrganizationID: o.ID, UserID: adminID, Role: OrgAdmin, JoinedAt: o.CreatedAt}).Error
		})
		switch {
		case err == nil:
			return nil
		case !IsDuplicate(err):
			return err
		case !derive:
			return ErrSlugTaken
		}
		// A concurrent create with an explicit slug took it between the lookup and the insert.
	}
	return ErrConflict
}

// freeSlug returns base, or base-N with the smallest N ≥ 2 that no organization uses. On
// PostgreSQL, creates deriving from the same base queue on a transaction-scoped advisory lock,
// so they do not all pick the same free slug (SQLite write transactions are serialized).
func (s *Store) freeSlug(ctx context.Context, base string) (string, error) {
	if s.dialect == Postgres {
		if err := s.q(ctx).Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "organizations.slug:"+base).Error; err != nil {
			return "", err
		}
	}
	var taken []string
	err := s.q(ctx).Model(&Organization{}).
		Where("lower(slug) = ? OR lower(slug) LIKE ?", base, base+"-%").
		Pluck("lower(slug)", &taken).Error
	if err != nil {
		return "", err
	}
	if !slices.Contains(taken, base) {
		return base, nil
	}
	for n := 2; ; n++ {
		if c := fmt.Sprintf("%s-%d", base, n); !slices.Contains(taken, c) {
			return c, nil
		}
	}
}

// DeriveSlug makes a slug from a name: accents dropped (Ä → a), lowercase ASCII letters and
// digits, every other run of characters one '-', no '-' at either end, at most 56 characters.
// A name with fewer than two usable characters (say, all CJK) gives "org-" and 8 random hex
// digits, so such names do not all crowd onto one "org-N" sequence.
func DeriveSlug(name string) string {
	var b strings.Builder
	dash := false
	folded, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), name)
	for _, r := range strings.ToLower(folded) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	slug := b.String()
	if len(slug) > maxDerivedSlug {
		slug = strings.TrimRight(slug[:maxDerivedSlug], "-")
	}
	if len(slug) < 2 {
		return "org-" + strings.ReplaceAll(NewID(), "-", "")[24:]
	}
	return slug
}

// UpdateOrganization writes exactly the columns in changes (plus updated_at). A taken slug
// gives ErrSlugTaken.
func (s *Store) UpdateOrganization(ctx context.Context, id string, changes map[string]any) error {
	changes["updated_at"] = s.Now()
	err := affected(s.q(ctx).Model(&Organization{}).Where("id = ?", id).Updates(changes))
	if IsDuplicate(err) {
		return ErrSlugTaken
	}
	return err
}

// DeleteOrganization removes an organization with its API keys, memberships and teams, in one
// transaction. The foreign keys would cascade; deleting explicitly keeps the outcome
// independent of the schema and of SQLite's foreign_keys pragma.
func (s *Store) DeleteOrganization(ctx context.Context, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.LockOrgs(ctx, id); err != nil {
			return err
		}
		for _, m := range []any{&APIKey{}, &Membership{}, &Team{}} {
			if err := tx.q(ctx).Where("organization_id = ?", id).Delete(m).Error; err != nil {
				return err
			}
		}
		return tx.q(ctx).Where("id = ?", id).Delete(&Organization{}).Error
	})
}

// LockOrgs must run inside a transaction. It locks the organizations' rows, in id order so
// that two transactions locking the same pair cannot deadlock, and fails with ErrNotFound when
// one does not exist. Every change that could affect an organization's admins or team managers
// takes this lock first, so checks made after it (such as counting admins) stay true until
// commit. On PostgreSQL it is SELECT … FOR UPDATE; SQLite write transactions are already
// serialized (BEGIN IMMEDIATE).
func (s *Store) LockOrgs(ctx context.Context, ids ...string) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		q := s.q(ctx)
		if s.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var o Organization
		if err := q.Select("id").Where("id = ?", id).Take(&o).Error; err != nil {
			return notFound(err)
		}
	}
	return nil
}
