package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// MembersAPI implements organization members, including the comprehensive member update.
type MembersAPI struct{ *deps }

// ListMembers answers 501 until its area lands.
func (a *MembersAPI) ListMembers(ctx context.Context, request api.ListMembersRequestObject) (api.ListMembersResponseObject, error) {
	return nil, errNotImplemented
}

// AddMember answers 501 until its area lands.
func (a *MembersAPI) AddMember(ctx context.Context, request api.AddMemberRequestObject) (api.AddMemberResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateMemberRole answers 501 until its area lands.
func (a *MembersAPI) UpdateMemberRole(ctx context.Context, request api.UpdateMemberRoleRequestObject) (api.UpdateMemberRoleResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateMember answers 501 until its area lands.
func (a *MembersAPI) UpdateMember(ctx context.Context, request api.UpdateMemberRequestObject) (api.UpdateMemberResponseObject, error) {
	return nil, errNotImplemented
}

// RemoveMember answers 501 until its area lands.
func (a *MembersAPI) RemoveMember(ctx context.Context, request api.RemoveMemberRequestObject) (api.RemoveMemberResponseObject, error) {
	return nil, errNotImplemented
}
