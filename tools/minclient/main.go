// Command minclient builds the served client script: it minifies
// client/authgate.js, the readable source, into client/authgate.min.js with
// esbuild. It is a module of its own, so that esbuild never enters
// authgate's go.mod. Run it with go generate:
//
//	cd tools/minclient && go generate
//
// The output is committed; a test in this package checks that it is what
// the source builds to today.
package main

//go:generate go run .

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// The source and the output, relative to this directory.
var (
	sourcePath   = filepath.Join("..", "..", "client", "authgate.js")
	minifiedPath = filepath.Join("..", "..", "client", "authgate.min.js")
)

// The markers around the part of the script that modes redirect and reload
// need, the core.
const (
	coreBegin = "/* authgate:core:begin */"
	coreEnd   = "/* authgate:core:end */"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "minclient:", err)
		os.Exit(1)
	}
}

func run() error {
	src, err := os.ReadFile(sourcePath)
	if err != nil {
		return err
	}
	out, err := minify(src)
	if err != nil {
		return err
	}
	return os.WriteFile(minifiedPath, out, 0o644)
}

// minify returns code minified: whitespace, identifiers and syntax, no
// comments kept, UTF-8 left as it is (the gate serves the script as UTF-8),
// and a final newline.
func minify(code []byte) ([]byte, error) {
	res := api.Transform(string(code), api.TransformOptions{
		Loader:            api.LoaderJS,
		Target:            api.ES2017,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Charset:           api.CharsetUTF8,
		LegalComments:     api.LegalCommentsNone,
	})
	if len(res.Errors) > 0 {
		msgs := api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage})
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	return res.Code, nil
}

// core returns the part of the source between the core markers.
func core(src []byte) ([]byte, error) {
	_, rest, ok := bytes.Cut(src, []byte(coreBegin))
	c, _, ok2 := bytes.Cut(rest, []byte(coreEnd))
	if !ok || !ok2 {
		return nil, fmt.Errorf("the source has no %s ... %s region", coreBegin, coreEnd)
	}
	return c, nil
}
