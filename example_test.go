package authgate_test

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// Protect a Go app in five minutes: make a store and a gate, mount the
// gate's endpoints, wrap the handlers that need a login in Require, and
// read the user from the request context.
func Example() {
	ctx := context.Background()

	// 1. A store, with a user who can sign in. The SQLite store keeps
	// them across restarts; "authgate users add" creates users there.
	store := memstore.New()
	hash, err := authgate.Argon2id{}.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	err = store.CreateUser(ctx, authgate.User{ID: "u1", Login: "ada", Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()})
	if err != nil {
		log.Fatal(err)
	}

	// 2. The gate. Every other Config field has a sensible default.
	gate, err := authgate.New(authgate.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}

	// 3. Mount the login page, logout and the gate's own endpoints, and
	// protect the app's handlers.
	mux := http.NewServeMux()
	mux.Handle("/login", gate)
	mux.Handle("/logout", gate)
	mux.Handle("/.authgate/", gate)
	mux.Handle("/notes", gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := authgate.FromContext(r.Context())
		fmt.Fprintf(w, "notes of %s", id.UserName)
	})))

	// 4. Serve it. A real app calls http.ListenAndServe(":8080", mux);
	// here a test server and a client that behaves like a browser
	// (cookies, no automatic redirects, a page load's headers).
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	browser := srv.Client()
	browser.Jar, _ = cookiejar.New(nil)
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	visit := func(method, path string, form url.Values) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		fmt.Print(method, " ", path, ": ", resp.StatusCode)
		if loc := resp.Header.Get("Location"); loc != "" {
			fmt.Print(" to ", loc)
		}
		if resp.StatusCode == http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			fmt.Print(" ", string(body))
		}
		fmt.Println()
	}

	visit("GET", "/notes", nil)
	visit("POST", "/login", url.Values{"username": {"ada"}, "password": {"correct horse battery staple"}, "return_to": {"/notes"}})
	visit("GET", "/notes", nil)
	visit("POST", "/logout", url.Values{})
	visit("GET", "/notes", nil)

	// A script call and a machine client each get their own answer.
	req, _ := http.NewRequest("GET", srv.URL+"/notes", nil)
	req.Header.Set("Sec-Fetch-Mode", "cors")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("fetch:", resp.StatusCode, "Authgate-Login:", resp.Header.Get("Authgate-Login"))
	resp, err = srv.Client().Get(srv.URL + "/notes")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("curl:", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))

	// Output:
	// GET /notes: 303 to /login?return_to=%2Fnotes
	// POST /login: 303 to /notes
	// GET /notes: 200 notes of Ada
	// POST /logout: 303 to /login?signed_out=1
	// GET /notes: 303 to /login?return_to=%2Fnotes
	// fetch: 401 Authgate-Login: none
	// curl: 401 Basic realm="authgate", charset="UTF-8"
}

// Identify lets everyone through and tells the handler who is signed in,
// if anyone: for pages that look different for guests.
func ExampleGate_Identify() {
	ctx := context.Background()
	store := memstore.New()
	gate, err := authgate.New(authgate.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	home := gate.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := authgate.FromContext(r.Context()); ok {
			fmt.Fprintf(w, "welcome back, %s", id.UserID)
			return
		}
		fmt.Fprint(w, "welcome, guest")
	}))

	key, secret, err := authgate.NewAPIKey("u1", "laptop", time.Now(), time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateKey(ctx, key); err != nil {
		log.Fatal(err)
	}

	guest := httptest.NewRequest("GET", "https://app.example/", nil)
	known := httptest.NewRequest("GET", "https://app.example/", nil)
	known.SetBasicAuth(key.ID, secret)
	for _, r := range []*http.Request{guest, known} {
		w := httptest.NewRecorder()
		home.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 welcome, guest
	// 200 welcome back, u1
}

// A handler reads who made the request from its context. In the handler's
// own tests, NewContext stands in for the gate.
func ExampleFromContext() {
	notes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := authgate.FromContext(r.Context())
		if !ok {
			http.Error(w, "not signed in", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "%s's notes (signed in by %s)", id.UserName, id.Method)
	})

	r := httptest.NewRequest("GET", "/notes", nil)
	r = r.WithContext(authgate.NewContext(r.Context(), &authgate.Identity{UserID: "u1", UserName: "Ada", Method: authgate.MethodSession}))
	w := httptest.NewRecorder()
	notes.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output:
	// Ada's notes (signed in by session)
}

// ScriptTag prints the client script's tag into a page served to r, with
// its integrity hash. The hashes change with each release of the script.
func ExampleGate_ScriptTag() {
	gate, err := authgate.New(authgate.Config{Store: memstore.New()})
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("page").Parse("<head>{{.Authgate}}</head>\n"))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	var b strings.Builder
	err = page.Execute(&b, map[string]any{
		"Authgate": gate.ScriptTag(r, authgate.ClientOptions{Mode: authgate.ClientDialog, WarnSeconds: 120}),
	})
	if err != nil {
		log.Fatal(err)
	}
	// Blank out the hashes so that the output stays the same.
	out := regexp.MustCompile(`client\.[0-9a-f]+\.js`).ReplaceAllString(b.String(), "client.HASH.js")
	out = regexp.MustCompile(`sha384-[A-Za-z0-9+/=]+`).ReplaceAllString(out, "sha384-HASH")
	fmt.Print(strings.ReplaceAll(out, `" `, "\"\n  "))
	// Output:
	// <head><script src="/.authgate/client.HASH.js"
	//   integrity="sha384-HASH"
	//   data-login-url="/login"
	//   data-logout-url="/logout"
	//   data-keepalive-url="/.authgate/keepalive"
	//   data-mode="dialog"
	//   data-idle-seconds="1800"
	//   data-warn-seconds="120"></script></head>
}

// An API key for a machine client: store the key, show the secret once,
// and the client sends both with HTTP Basic.
func ExampleNewAPIKey() {
	ctx := context.Background()
	store := memstore.New()
	now := time.Now()
	key, secret, err := authgate.NewAPIKey("u1", "nightly backup", now, now.AddDate(1, 0, 0))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateKey(ctx, key); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(key.ID, "agk_"), len(secret), key.SecretHash == authgate.HashOf([]byte(secret)))

	gate, err := authgate.New(authgate.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	api := gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := authgate.FromContext(r.Context())
		fmt.Fprintf(w, "backup for %s via %s", id.UserID, id.Method)
	}))
	r := httptest.NewRequest("GET", "https://app.example/api/backup", nil)
	r.SetBasicAuth(key.ID, secret) // curl -u "$ID:$SECRET"
	w := httptest.NewRecorder()
	api.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// true 43 true
	// 200 backup for u1 via apikey
}

// ParseSignal reads the signal mode from a flag or an environment
// variable: "401" (the default), "418", or "body:TEXT" for pages that
// compare the response text with a sentinel.
func ExampleParseSignal() {
	for _, s := range []string{"401", "418", "body:MASONITE_LOGIN_REQUIRED", "302"} {
		sig, err := authgate.ParseSignal(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(s, "->", sig.Status())
	}
	// Output:
	// 401 -> 401
	// 418 -> 418
	// body:MASONITE_LOGIN_REQUIRED -> 200
	// error: authgate: signal "302" is not 401, 418 or body:TEXT
}
