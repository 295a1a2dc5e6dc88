package testkit_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/storetest"
)

// TestStorePassesThrough runs the store conformance suite through a
// wrapper that fails nothing: every method reaches the wrapped store.
func TestStorePassesThrough(t *testing.T) {
	storetest.Run(t, func(*testing.T) authgate.Store { return testkit.Wrap(memstore.New()) })
}

// TestStoreFaults checks each way of failing calls, and the counts.
func TestStoreFaults(t *testing.T) {
	ctx := context.Background()
	s := testkit.Wrap(memstore.New())
	if s.Unwrap() == nil {
		t.Fatal("Unwrap returned nil")
	}
	call := func(method string) error {
		switch method {
		case "User":
			_, err := s.User(ctx, "nobody")
			return err
		case "Key":
			_, err := s.Key(ctx, "nobody")
			return err
		}
		t.Fatalf("no call for %s", method)
		return nil
	}
	isInjected := func(err error) bool { return errors.Is(err, testkit.ErrInjected) }

	if err := call("User"); !errors.Is(err, authgate.ErrNotFound) {
		t.Fatalf("a healthy call: %v, want the store's not found", err)
	}
	s.Fail("User")
	if !isInjected(call("User")) || isInjected(call("Key")) {
		t.Fatal("Fail(User) did not fail User alone")
	}
	s.Heal()
	if isInjected(call("User")) {
		t.Fatal("Heal left User failing")
	}
	s.Fail()
	if !isInjected(call("User")) || !isInjected(call("Key")) {
		t.Fatal("Fail() did not fail every method")
	}
	s.Heal()
	s.FailNext(2, "Key")
	for i, want := range []bool{true, true, false} {
		if got := isInjected(call("Key")); got != want {
			t.Fatalf("Key call %d after FailNext(2): injected %v, want %v", i, got, want)
		}
	}
	s.FailNext(1)
	if !isInjected(call("User")) || isInjected(call("Key")) {
		t.Fatal("FailNext(1) did not fail exactly the next call")
	}
	if got := s.Calls("User"); got != 5 {
		t.Errorf("Calls(User) = %d, want 5", got)
	}
	if got, want := s.Calls(), 5+6; got != want {
		t.Errorf("Calls() = %d, want %d", got, want)
	}
	if got := s.Failed("Key"); got != 3 {
		t.Errorf("Failed(Key) = %d, want 3", got)
	}
	if got := s.Failed(); got != 6 {
		t.Errorf("Failed() = %d, want 6", got)
	}
	s.ResetCounts()
	if s.Calls() != 0 || s.Failed() != 0 {
		t.Error("ResetCounts left counts")
	}
}

// TestStoreRejectsUnknownNames: a misspelt method name is a test bug and
// panics rather than failing nothing.
func TestStoreRejectsUnknownNames(t *testing.T) {
	for name, f := range map[string]func(s *testkit.Store){
		"Fail":        func(s *testkit.Store) { s.Fail("Sessions") },
		"FailNext":    func(s *testkit.Store) { s.FailNext(1, "touchSession") },
		"FailNext(0)": func(s *testkit.Store) { s.FailNext(0) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f(testkit.Wrap(memstore.New()))
		})
	}
}

// TestMethodsAreTheInterface: Methods names every method of authgate.Store,
// so that a method added to the interface cannot go unwrapped.
func TestMethodsAreTheInterface(t *testing.T) {
	st := reflect.TypeFor[authgate.Store]()
	var names []string
	for i := range st.NumMethod() {
		names = append(names, st.Method(i).Name)
	}
	if got := slices.Sorted(slices.Values(testkit.Methods)); !slices.Equal(got, names) {
		t.Fatalf("Methods = %v, authgate.Store has %v", got, names)
	}
	for _, m := range testkit.WriteMethods {
		if !slices.Contains(names, m) {
			t.Errorf("WriteMethods names %s, which is not a Store method", m)
		}
	}
}

// TestIdentityMethodsAreTheInterface: IdentityMethods names every method
// of authgate.IdentityStore, and each can be failed and counted.
func TestIdentityMethodsAreTheInterface(t *testing.T) {
	it := reflect.TypeFor[authgate.IdentityStore]()
	var names []string
	for i := range it.NumMethod() {
		names = append(names, it.Method(i).Name)
	}
	if got := slices.Sorted(slices.Values(testkit.IdentityMethods)); !slices.Equal(got, names) {
		t.Fatalf("IdentityMethods = %v, authgate.IdentityStore has %v", got, names)
	}
	ctx := context.Background()
	s := testkit.Wrap(memstore.New())
	if err := s.LinkIdentity(ctx, "https://idp.example.com", "sub", "u"); err != nil {
		t.Fatal(err)
	}
	s.Fail("UnlinkIdentity", "UserIdentities")
	if err := s.UnlinkIdentity(ctx, "https://idp.example.com", "sub", "u"); !errors.Is(err, testkit.ErrInjected) {
		t.Errorf("UnlinkIdentity failing: %v", err)
	}
	if _, err := s.UserIdentities(ctx, "u"); !errors.Is(err, testkit.ErrInjected) {
		t.Errorf("UserIdentities failing: %v", err)
	}
	if id, err := s.IdentityUser(ctx, "https://idp.example.com", "sub"); err != nil || id != "u" {
		t.Errorf("after a failed unlink the link is %q, %v; want it kept", id, err)
	}
	if got := s.Calls("UnlinkIdentity"); got != 1 {
		t.Errorf("Calls(UnlinkIdentity) = %d, want 1", got)
	}
}

// TestFailWriteMethods: failing the write methods leaves reads working.
func TestFailWriteMethods(t *testing.T) {
	s := testkit.Wrap(memstore.New())
	s.Fail(testkit.WriteMethods...)
	if err := s.CreateUser(context.Background(), authgate.User{ID: "u", Login: "u"}); !errors.Is(err, testkit.ErrInjected) {
		t.Fatalf("CreateUser with writes failing: %v", err)
	}
	if _, err := s.Users(context.Background()); err != nil {
		t.Fatalf("Users with writes failing: %v", err)
	}
}

// TestAddUserAndKey: the records land in the store, the password hashed
// so that it verifies, the key with its deadlines.
func TestAddUserAndKey(t *testing.T) {
	s := memstore.New()
	now := time.Now().Truncate(time.Millisecond)
	u := testkit.AddUser(t, s, authgate.User{ID: "u", Login: "ada"}, "pw")
	got, err := s.UserByLogin(context.Background(), "ada")
	if err != nil || got.PasswordHash != u.PasswordHash {
		t.Fatalf("UserByLogin = %+v, %v", got, err)
	}
	if ok, err := testkit.Hasher.Verify("pw", got.PasswordHash); !ok || err != nil {
		t.Fatalf("the stored hash does not verify: %v, %v", ok, err)
	}
	id, secret := testkit.AddKey(t, s, "u", now, now.Add(time.Hour))
	k, err := s.Key(context.Background(), id)
	if err != nil || k.UserID != "u" || !k.ExpiresAt.Equal(now.Add(time.Hour)) || secret == "" {
		t.Fatalf("Key = %+v, %v", k, err)
	}
}
