package main

import (
	"crypto/rand"
	"io"
	"os"
	"regexp"
	"runtime"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/oidc"
)

// oidcFlags are the settings of sign-in with OpenID Connect providers,
// shared by demo, proxy and forward-auth. A provider's client id and
// secret come from the environment, never from a flag (see
// [cli.oidcProviders]).
type oidcFlags struct {
	providers  listFlag // NAME=ISSUER_URL
	labels     listFlag // NAME=LABEL
	keyFile    string
	origin     string
	domains    listFlag
	groups     listFlag
	linkEmail  bool
	create     bool
	anyAccount bool
	noPassword bool
}

func (of *oidcFlags) register(fs *flagSet) {
	fs.Var(&of.providers, "oidc", "offer sign-in with the OpenID Connect provider at `NAME=ISSUER_URL` (repeatable); its client id\n"+
		"and secret come from $AUTHGATE_OIDC_<NAME>_CLIENT_ID and $AUTHGATE_OIDC_<NAME>_CLIENT_SECRET\n"+
		"(or the file named by $AUTHGATE_OIDC_<NAME>_CLIENT_SECRET_FILE, mode 600); redirect URI:\n"+
		"ORIGIN/.authgate/oidc/NAME/callback")
	fs.Var(&of.labels, "oidc-label", "the login page's button for a provider says \"Sign in with LABEL\": `NAME=LABEL` (repeatable; default NAME)")
	fs.StringVar(&of.keyFile, "oidc-key-file", "", "read the key that signs sign-ins in progress from this `file` (32 bytes or more, the\n"+
		"same for every instance; default: a new key at each start, so a sign-in must finish\n"+
		"on the instance that started it)")
	fs.StringVar(&of.origin, "oidc-origin", "", "the app's `origin` as browsers reach it (https://app.example.com), for the redirect\n"+
		"URI; default: the request's Host header, which the client chooses, https only when\n"+
		"the request came over TLS (set it in production)")
	fs.Var(&of.domains, "oidc-allowed-domain", "admit only provider users whose verified e-mail is in this `domain` (repeatable)")
	fs.Var(&of.groups, "oidc-allowed-group", "admit only provider users in this `group` of the ID token's groups claim (repeatable)")
	fs.BoolVar(&of.linkEmail, "oidc-link-email", false, "link a provider account to the user whose login is its e-mail, when the provider says it is verified")
	fs.BoolVar(&of.create, "oidc-create-users", false, "make a user at a provider account's first sign-in (its login is the verified e-mail,\nor NAME:SUBJECT)")
	fs.BoolVar(&of.anyAccount, "oidc-allow-any-account", false, "with --oidc-create-users and no --oidc-allowed-domain or --oidc-allowed-group, admit\nevery account at the provider (refused without this flag)")
	fs.BoolVar(&of.noPassword, "no-password-sign-in", false, "offer only the --oidc providers: no password form")
}

// providerName is the shape of a provider's name (see authgate.ProviderInfo).
var providerName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// maxKeyFile bounds what --oidc-key-file and a secret file are read to.
const maxKeyFile = 4096

// oidcEnv is the prefix of the environment variables of the provider
// called name: AUTHGATE_OIDC_ and the name in capitals, "-" as "_".
func oidcEnv(name string) string {
	return envPrefix + "OIDC_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// oidcProviders makes the providers that the flags of the command called
// cmd name. No error repeats a secret.
func (c *cli) oidcProviders(cmd string, of oidcFlags) ([]authgate.Provider, error) {
	if len(of.providers) == 0 {
		switch {
		case of.noPassword:
			return nil, usageError("%s: --no-password-sign-in needs at least one --oidc provider", cmd)
		case len(of.labels) > 0, of.keyFile != "", of.origin != "", len(of.domains) > 0, len(of.groups) > 0, of.linkEmail, of.create, of.anyAccount:
			return nil, usageError("%s: the --oidc-* flags need at least one --oidc provider", cmd)
		}
		return nil, nil
	}
	if of.create && len(of.domains) == 0 && len(of.groups) == 0 && !of.anyAccount {
		return nil, usageError("%s: --oidc-create-users without --oidc-allowed-domain or --oidc-allowed-group would let every account at the provider in; add one, or --oidc-allow-any-account", cmd)
	}
	labels := make(map[string]string)
	for _, l := range of.labels {
		name, label, ok := strings.Cut(l, "=")
		if !ok || label == "" {
			return nil, usageError("%s: --oidc-label %q is not NAME=LABEL", cmd, l)
		}
		labels[name] = label
	}
	key, err := c.oidcKey(cmd, of.keyFile)
	if err != nil {
		return nil, err
	}
	var out []authgate.Provider
	for _, spec := range of.providers {
		name, issuer, ok := strings.Cut(spec, "=")
		if !ok || name == "" || issuer == "" {
			return nil, usageError("%s: --oidc %q is not NAME=ISSUER_URL", cmd, spec)
		}
		if !providerName.MatchString(name) {
			return nil, usageError("%s: --oidc: the provider name %q must be 1 to 32 lower-case letters, digits and -, starting with a letter", cmd, name)
		}
		env := oidcEnv(name)
		id, _ := c.lookupEnv(env + "_CLIENT_ID")
		if id == "" {
			return nil, usageError("%s: --oidc %s: $%s_CLIENT_ID is not set", cmd, name, env)
		}
		secret, err := c.oidcSecret(cmd, name, env)
		if err != nil {
			return nil, err
		}
		label := labels[name]
		if label == "" {
			label = name
		}
		delete(labels, name)
		p, err := oidc.New(oidc.Config{
			Name: name, Label: label, Issuer: issuer, ClientID: id, ClientSecret: secret, Key: key,
			Origin: of.origin, AllowedDomains: of.domains, AllowedGroups: of.groups,
			LinkByEmail: of.linkEmail, CreateUsers: of.create, AllowAnyAccount: of.anyAccount,
		})
		if err != nil {
			return nil, usageError("%s: --oidc %s: %s", cmd, name, strings.TrimPrefix(err.Error(), "oidc: "))
		}
		out = append(out, p)
	}
	for name := range labels {
		return nil, usageError("%s: --oidc-label names %q, which no --oidc names", cmd, name)
	}
	return out, nil
}

// oidcSecret reads the client secret of the provider called name from
// $ENV_CLIENT_SECRET or the file $ENV_CLIENT_SECRET_FILE names: one, not
// both.
func (c *cli) oidcSecret(cmd, name, env string) (string, error) {
	secret, inEnv := c.lookupEnv(env + "_CLIENT_SECRET")
	path, inFile := c.lookupEnv(env + "_CLIENT_SECRET_FILE")
	switch {
	case inEnv && inFile:
		return "", usageError("%s: --oidc %s: both $%s_CLIENT_SECRET and $%s_CLIENT_SECRET_FILE are set; set one", cmd, name, env, env)
	case inFile:
		b, err := readSecretFile(path)
		if err != nil {
			return "", usageError("%s: --oidc %s: $%s_CLIENT_SECRET_FILE: %v", cmd, name, env, err)
		}
		secret, _, _ = strings.Cut(string(b), "\n")
		secret = strings.TrimSuffix(secret, "\r")
	}
	if secret == "" {
		return "", usageError("%s: --oidc %s: set the client secret in $%s_CLIENT_SECRET or a file named by $%s_CLIENT_SECRET_FILE", cmd, name, env, env)
	}
	return secret, nil
}

// oidcKey reads --oidc-key-file, or makes a key for this process.
func (c *cli) oidcKey(cmd, path string) ([]byte, error) {
	if path == "" {
		return []byte(rand.Text() + rand.Text()), nil
	}
	b, err := readSecretFile(path)
	if err != nil {
		return nil, usageError("%s: --oidc-key-file: %v", cmd, err)
	}
	if len(strings.TrimSpace(string(b))) < 32 {
		return nil, usageError("%s: --oidc-key-file: the key must be at least 32 bytes (umask 077; head -c 32 /dev/urandom | base64 > FILE)", cmd)
	}
	return b, nil
}

// readSecretFile reads a file that holds a secret, as [readSmallFile]
// does, but refuses one that others (neither its owner nor its group) may
// read or write, as PostgreSQL refuses such a server key: the secret would
// not be one. Group access is allowed for the usual root:service 0640.
// The mode is that of the file it reads, not of a file at the path a
// moment before.
func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathCause(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, pathCause(err)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o007 != 0 {
		return nil, usageError("the file's mode is %04o: anyone on the machine may read it, so it keeps no secret; make it readable by its owner (and group) only (chmod 600, or 640; a mounted secret's mode, such as Kubernetes' defaultMode, likewise)", perm)
	}
	return readSmallFrom(f)
}

// readSmallFile reads at most maxKeyFile bytes of the file at path.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathCause(err)
	}
	defer f.Close()
	return readSmallFrom(f)
}

// readSmallFrom reads at most maxKeyFile bytes of f.
func readSmallFrom(f *os.File) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, pathCause(err)
	}
	if len(b) > maxKeyFile {
		return nil, usageError("the file is longer than %d bytes", maxKeyFile)
	}
	return b, nil
}
