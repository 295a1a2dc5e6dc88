// Package templates holds the pages the gate renders itself.
package templates

import (
	"embed"
	"html/template"
)

//go:embed login.html
var files embed.FS

// Login parses the login page. Its data is an authgate.LoginPage.
func Login() *template.Template {
	return template.Must(template.ParseFS(files, "login.html"))
}
