// Package oidctest runs the OpenID provider of tools/oidcprovider (a real
// OpenID Connect server, built on the OP library of github.com/zitadel/oidc)
// for a test: [Start] builds the program once per test binary, runs it on a
// free port of 127.0.0.1 with fresh client secrets, and stops it when the
// test ends. [Provider.Stop] and [Provider.Restart] take it down and bring
// it back at the same issuer, for tests of a provider that is down.
//
// The provider's fixed configuration is mirrored here: its clients
// ([Provider.Client], [Provider.Other]) and its users ([Alice], [Bob],
// [Carol], [Dave]); the package's own tests sign each user in to check that
// the two agree.
//
// This package imports nothing of the provider's module, so the library's
// go.mod does not gain its dependencies; it needs the go command, as the
// tests do. A package whose tests use it calls [RemoveBinary] from its
// TestMain, or makes [Main] its TestMain.
package oidctest
