package server_test

import (
	"context"
	"net/http"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/xentree/xentree-api/gen"
)

// TestGeneratedClientFlow drives the API through the generated Go client, as an integrator
// would: register, log in (form body), read the profile, create an organization and a key,
// then list members with the key and refresh the session.
func TestGeneratedClientFlow(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client
		reg, err := c.RegisterWithResponse(ctx, api.RegisterJSONRequestBody{
			Username: "grace", Email: openapi_types.Email("grace@example.com"), Password: "hopper-1906",
		})
		if err != nil || reg.JSON201 == nil || reg.JSON201.Username != "grace" {
			t.Fatalf("register: %v %s", err, reg.Body)
		}
		dup, _ := c.RegisterWithResponse(ctx, api.RegisterJSONRequestBody{Username: "GRACE", Email: "g2@example.com", Password: "hopper-1906"})
		if dup.JSON409 == nil || dup.JSON409.Detail.Error != "user_exists" {
			t.Fatalf("duplicate: %s", dup.Body)
		}
		login, err := c.LoginWithFormdataBodyWithResponse(ctx, api.LoginFormdataRequestBody{Username: "grace@example.com", Password: "hopper-1906"})
		if err != nil || login.JSON200 == nil {
			t.Fatalf("login: %v %s", err, login.Body)
		}
		auth := func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+login.JSON200.AccessToken)
			return nil
		}
		me, _ := c.GetMeWithResponse(ctx, auth)
		if me.JSON200 == nil || me.JSON200.Id != reg.JSON201.Id {
			t.Fatalf("me: %s", me.Body)
		}
		org, _ := c.CreateOrganizationWithResponse(ctx, api.CreateOrganizationJSONRequestBody{Name: "Acme Learning"}, auth)
		if org.JSON201 == nil || org.JSON201.Slug != "acme-learning" || org.JSON201.MyRole.MustGet() != api.Admin {
			t.Fatalf("org: %s", org.Body)
		}
		key, _ := c.CreateApiKeyWithResponse(ctx, api.CreateApiKeyJSONRequestBody{
			Name: "sync", OrganizationId: org.JSON201.Id, Scopes: []api.APIKeyScope{api.OrganizationsRead},
		}, auth)
		if key.JSON201 == nil || key.JSON201.Key == nil {
			t.Fatalf("key: %s", key.Body)
		}
		withKey := func(_ context.Context, r *http.Request) error {
			r.Header.Set("X-API-Key", *key.JSON201.Key)
			return nil
		}
		members, _ := c.ListMembersWithResponse(ctx, org.JSON201.Id, &api.ListMembersParams{}, withKey)
		if members.JSON200 == nil || len(*members.JSON200) != 1 || (*members.JSON200)[0].Username != "grace" {
			t.Fatalf("members: %s", members.Body)
		}
		denied, _ := c.CreateApiKeyWithResponse(ctx, api.CreateApiKeyJSONRequestBody{
			Name: "x", OrganizationId: org.JSON201.Id, Scopes: []api.APIKeyScope{api.OrganizationsRead},
		}, withKey)
		if denied.JSON401 == nil {
			t.Fatalf("API key on a bearer-only route: %s", denied.Body)
		}
		ref, _ := c.RefreshTokenWithResponse(ctx, api.RefreshTokenJSONRequestBody{RefreshToken: login.JSON200.RefreshToken})
		if ref.JSON200 == nil || ref.JSON200.AccessToken == login.JSON200.AccessToken {
			t.Fatalf("refresh: %s", ref.Body)
		}
	})
}
