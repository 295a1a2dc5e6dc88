package oidctest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	browseFormID     = regexp.MustCompile(`name="id" value="([^"]+)"`)
	browseFormAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
)

// Browse follows loc, a URL at the provider such as its authorization
// endpoint with a client's query, as a browser would with client (which
// must follow no redirect and keep cookies), signing u in at the
// provider's form when it shows one. It returns the URL the provider then
// sends the browser to, off its own origin (a client's redirect URI with
// code and state, or error), without visiting it. It fails t on any other
// answer.
func (p *Provider) Browse(t testing.TB, client *http.Client, loc string, u User) string {
	t.Helper()
	for range 10 {
		if !strings.HasPrefix(loc, p.Issuer+"/") {
			return loc
		}
		var (
			resp *http.Response
			err  error
		)
		resp, err = client.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		base := resp.Request.URL
		if resp.StatusCode == http.StatusOK && browseFormID.Match(body) {
			id := html.UnescapeString(string(browseFormID.FindSubmatch(body)[1]))
			action := base.ResolveReference(&url.URL{Path: html.UnescapeString(string(browseFormAction.FindSubmatch(body)[1]))})
			resp, err = client.PostForm(action.String(), url.Values{"id": {id}, "username": {u.Email}, "password": {u.Password}})
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			base = action
		}
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("at the provider, %s: %s\n%s", resp.Request.URL, resp.Status, body)
		}
		next, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		loc = base.ResolveReference(next).String()
	}
	t.Fatal("oidctest: the provider redirected more than 10 times")
	return ""
}
