package authgate

import (
	_ "embed"
	"html/template"
)

// The files the gate serves and renders, embedded so that an app needs
// nothing beside its binary.
var (
	// clientScriptMin is the browser script as the gate serves it
	// ([Gate.ServeHTTP]): client/authgate.min.js, built from the readable
	// client/authgate.js by go generate in tools/minclient.
	//go:embed client/authgate.min.js
	clientScriptMin string

	// loginPage is the login page's template; its data is a [LoginPage].
	//go:embed templates/login.html
	loginPage string
)

// loginTemplate parses the login page.
func loginTemplate() *template.Template {
	return template.Must(template.New("login.html").Parse(loginPage))
}

// providerPage is the page of a provider's endpoints: the popup's "signed
// in" page and the error page of a sign-in that did not finish.
//
//go:embed templates/provider.html
var providerPage string
