// Command quickstart walks the Xentree API with the Go SDK (sdk/go): it registers a user (or
// reuses it), logs in, reads the profile, creates an organization and lists its members.
//
//	go run ./examples/quickstart -server http://localhost:8080
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	xentree "github.com/xentree/xentree-api/sdk/go"
)

func main() {
	server := flag.String("server", "http://localhost:8080", "the API's base URL")
	user := flag.String("user", "ada", "username to register and log in with")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *server, *user, "correct-horse-battery"); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, server, username, password string) error {
	anon, err := xentree.NewClientWithResponses(server)
	if err != nil {
		return err
	}
	reg, err := anon.RegisterWithResponse(ctx, xentree.RegisterJSONRequestBody{
		Username: username, Email: xentree.Email(username + "@example.com"), Password: password,
	})
	var apiErr *xentree.APIError
	if err != nil {
		return err
	} else if err := xentree.Check(reg); err != nil && !(errors.As(err, &apiErr) && apiErr.Detail.Error == "user_exists") {
		return err
	}
	s, err := xentree.Login(ctx, server, username, password) // refreshes its token by itself
	if err != nil {
		return err
	}
	defer func() { _ = s.Logout(ctx) }()
	me, err := s.GetMeWithResponse(ctx)
	if err != nil {
		return err
	} else if err := xentree.Check(me); err != nil {
		return err
	}
	fmt.Fprintf(out, "logged in as %s (%s, plan %s)\n", me.JSON200.Username, me.JSON200.Email, me.JSON200.Plan)
	org, err := s.CreateOrganizationWithResponse(ctx, xentree.CreateOrganizationJSONRequestBody{Name: username + "'s school"})
	if err != nil {
		return err
	} else if err := xentree.Check(org); err != nil {
		return err
	}
	members, err := s.ListMembersWithResponse(ctx, org.JSON201.Id, nil)
	if err != nil {
		return err
	} else if err := xentree.Check(members); err != nil {
		return err
	}
	fmt.Fprintf(out, "organization %q has %d member(s)\n", org.JSON201.Slug, len(*members.JSON200))
	return nil
}
