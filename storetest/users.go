package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

var userTests = []test{
	{"RoundTrip", testUserRoundTrip},
	{"Duplicate", testUserDuplicate},
	{"NotFound", testUserNotFound},
	{"ExactLogin", testUserExactLogin},
	{"SetPassword", testSetPassword},
	{"Delete", testDeleteUser},
	{"List", testUsersList},
}

// newLogin returns a random login with the given prefix, so that the order
// of logins with different prefixes is known.
func newLogin(prefix string) string { return prefix + "-" + strings.ToLower(rand.Text()) }

func createUser(t *testing.T, s authgate.Store, u authgate.User) {
	t.Helper()
	if err := s.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
}

// checkUser reads u back by id and by login.
func checkUser(t *testing.T, s authgate.Store, want authgate.User) {
	t.Helper()
	ctx := context.Background()
	got, err := s.User(ctx, want.ID)
	if err != nil {
		t.Fatalf("User(%q): %v", want.ID, err)
	}
	if d := UserDiff(want, got); d != "" {
		t.Errorf("User(%q): %s", want.ID, d)
	}
	got, err = s.UserByLogin(ctx, want.Login)
	if err != nil {
		t.Fatalf("UserByLogin(%q): %v", want.Login, err)
	}
	if d := UserDiff(want, got); d != "" {
		t.Errorf("UserByLogin(%q): %s", want.Login, d)
	}
}

func testUserRoundTrip(t *testing.T, s authgate.Store) {
	now := time.Now()
	tests := []struct {
		name   string
		modify func(*authgate.User)
	}{
		{"plain", func(*authgate.User) {}},
		{"unicode", func(u *authgate.User) { u.Login += "-zoë"; u.Name = "Zoë O'Brien \"日本\"" }},
		{"empty name", func(u *authgate.User) { u.Name = "" }},
		{"sub-millisecond time", func(u *authgate.User) {
			u.CreatedAt = time.Date(2029, 2, 3, 4, 5, 6, 789_999_999, time.FixedZone("X", -7*3600))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := NewUser(newLogin("user"), now)
			tc.modify(&u)
			createUser(t, s, u)
			checkUser(t, s, u)
		})
	}
}

func testUserDuplicate(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	first := NewUser(newLogin("first"), now)
	createUser(t, s, first)
	tests := []struct {
		name   string
		modify func(*authgate.User)
	}{
		{"same login", func(u *authgate.User) { u.Login = first.Login }},
		{"same id", func(u *authgate.User) { u.ID = first.ID }},
		{"same id and login", func(u *authgate.User) { u.ID, u.Login = first.ID, first.Login }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := NewUser(newLogin("second"), now.Add(time.Second))
			tc.modify(&u)
			if err := s.CreateUser(ctx, u); !errors.Is(err, authgate.ErrDuplicate) {
				t.Errorf("CreateUser: error %v, want one that is ErrDuplicate", err)
			}
			checkUser(t, s, first)
			// Nothing of the refused user was kept.
			if u.ID != first.ID {
				if _, err := s.User(ctx, u.ID); !errors.Is(err, authgate.ErrNotFound) {
					t.Errorf("User(refused id): error %v, want ErrNotFound", err)
				}
			}
			if u.Login != first.Login {
				if _, err := s.UserByLogin(ctx, u.Login); !errors.Is(err, authgate.ErrNotFound) {
					t.Errorf("UserByLogin(refused login): error %v, want ErrNotFound", err)
				}
			}
		})
	}
}

func testUserNotFound(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	createUser(t, s, NewUser(newLogin("present"), time.Now()))
	id, login := NewUserID(), newLogin("absent")
	tests := []struct {
		name string
		call func() error
	}{
		{"User", func() error { _, err := s.User(ctx, id); return err }},
		{"UserByLogin", func() error { _, err := s.UserByLogin(ctx, login); return err }},
		{"UserByLogin empty", func() error { _, err := s.UserByLogin(ctx, ""); return err }},
		{"SetPassword", func() error { return s.SetPassword(ctx, id, "$argon2id$x") }},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, id) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, authgate.ErrNotFound) {
				t.Errorf("%s of an unknown user: error %v, want one that is ErrNotFound", tc.name, err)
			}
		})
	}
	if _, err := s.User(ctx, id); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("SetPassword of an unknown user created it: User error %v", err)
	}
}

func testSetPassword(t *testing.T, s authgate.Store) {
	now := time.Now()
	u, other := NewUser(newLogin("pw"), now), NewUser(newLogin("pw-other"), now)
	createUser(t, s, u)
	createUser(t, s, other)
	for _, hash := range []string{NewUser("x", now).PasswordHash, NewUser("y", now).PasswordHash} {
		if err := s.SetPassword(context.Background(), u.ID, hash); err != nil {
			t.Fatalf("SetPassword: %v", err)
		}
		u.PasswordHash = hash
		checkUser(t, s, u)
	}
	checkUser(t, s, other)
}

func testDeleteUser(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	u, other := NewUser(newLogin("gone"), now), NewUser(newLogin("stays"), now)
	createUser(t, s, u)
	createUser(t, s, other)
	if err := s.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.User(ctx, u.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("User after DeleteUser: error %v, want ErrNotFound", err)
	}
	if _, err := s.UserByLogin(ctx, u.Login); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("UserByLogin after DeleteUser: error %v, want ErrNotFound", err)
	}
	if err := s.DeleteUser(ctx, u.ID); !errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("DeleteUser twice: error %v, want ErrNotFound", err)
	}
	list, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	for _, x := range list {
		if x.ID == u.ID {
			t.Error("Users lists a deleted user")
		}
	}
	checkUser(t, s, other)
	// The login is free again, under a new id.
	again := NewUser(u.Login, now.Add(time.Minute))
	createUser(t, s, again)
	checkUser(t, s, again)
}

func testUsersList(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	now := time.Now()
	b, c, a := NewUser(newLogin("b"), now), NewUser(newLogin("c"), now.Add(-time.Hour)), NewUser(newLogin("a"), now.Add(time.Hour))
	for _, u := range []authgate.User{b, c, a} {
		createUser(t, s, u)
	}
	list, err := s.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	for i := 1; i < len(list); i++ {
		if list[i-1].Login >= list[i].Login {
			t.Errorf("Users not ordered by login: %q before %q", list[i-1].Login, list[i].Login)
		}
	}
	// Keep only this test's users, in case the backend is shared.
	mine := map[string]bool{a.ID: true, b.ID: true, c.ID: true}
	var got []authgate.User
	for _, u := range list {
		if mine[u.ID] {
			got = append(got, u)
		}
	}
	want := []authgate.User{a, b, c}
	if len(got) != len(want) {
		t.Fatalf("Users lists %d of the %d users created", len(got), len(want))
	}
	for i := range want {
		if d := UserDiff(want[i], got[i]); d != "" {
			t.Errorf("Users[%d]: %s", i, d)
		}
	}
}

// testUserExactLogin: logins are matched exactly, as the gate's throttle
// counts them: another case is another login, and may be a user of its own.
func testUserExactLogin(t *testing.T, s authgate.Store) {
	ctx := context.Background()
	u := NewUser(newLogin("exact"), time.Now())
	createUser(t, s, u)
	upper := strings.ToUpper(u.Login)
	if _, err := s.UserByLogin(ctx, upper); !errors.Is(err, authgate.ErrNotFound) {
		t.Fatalf("UserByLogin(%q) with only %q stored: %v, want ErrNotFound", upper, u.Login, err)
	}
	other := NewUser(upper, time.Now())
	createUser(t, s, other)
	checkUser(t, s, u)
	checkUser(t, s, other)
}
