package demo_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/demo"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// The demo app over a memory store: a visitor who is not signed in is sent
// to the login page and back.
func ExampleNew() {
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher})
	if err != nil {
		log.Fatal(err)
	}
	app := demo.New(g, demo.NewMemoryNotes(), demo.Options{ClientMode: authgate.ClientDialog})

	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Location"))
	// Output: 303 /login?return_to=%2F
}
