package authgate

import (
	_ "embed"
	"html/template"
)

// The files the gate serves and renders, embedded so that an app needs
// nothing beside its binary.
var (
	// clientSource is the browser script, served by [Gate.ServeHTTP].
	//go:embed client/authgate.js
	clientSource string

	// loginPage is the login page's template; its data is a [LoginPage].
	//go:embed templates/login.html
	loginPage string
)

// loginTemplate parses the login page.
func loginTemplate() *template.Template {
	return template.Must(template.New("login.html").Parse(loginPage))
}
