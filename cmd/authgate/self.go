package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// selfPackage is the import path of this command.
const selfPackage = "github.com/authgate/authgate/cmd/authgate"

// selfCommand returns how the user runs this command again from the shell
// that started it, for the command lines the demo prints. See runAgain.
func selfCommand() string {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cwd, _ := os.Getwd()
	return runAgain(os.Args[0], exe, cwd, moduleRoot(cwd))
}

// runAgain returns the shell words that run the program again:
//
//   - the name it was started by, when that was a bare name found on PATH
//     (after go install, "authgate");
//   - a go run line when the go command built it into a temporary directory,
//     as go run does: "go run ./cmd/authgate" from the module's root, the
//     package path elsewhere inside the module, and the package path at
//     @latest outside it;
//   - else the path it was started by.
//
// arg0 is os.Args[0], exe the executable's path, cwd the working directory
// and root the root of the authgate module that holds cwd, or "".
func runAgain(arg0, exe, cwd, root string) string {
	builtByGo := false
	for _, dir := range strings.Split(filepath.ToSlash(filepath.Dir(exe)), "/") {
		if strings.HasPrefix(dir, "go-build") {
			builtByGo = true
		}
	}
	switch {
	case builtByGo && root != "" && filepath.Clean(cwd) == filepath.Clean(root):
		return "go run ./cmd/authgate"
	case builtByGo && root != "":
		return "go run " + selfPackage
	case builtByGo:
		return "go run " + selfPackage + "@latest"
	case !strings.ContainsRune(arg0, '/') && !strings.ContainsRune(arg0, filepath.Separator):
		return arg0
	}
	return shellQuote(arg0)
}

// moduleRoot returns the directory at or above dir whose go.mod declares
// the authgate module, or "".
func moduleRoot(dir string) string {
	if dir == "" {
		return ""
	}
	for {
		if declaresAuthgate(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// declaresAuthgate reports whether the go.mod file at path is authgate's.
func declaresAuthgate(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(mod), `"`) == strings.TrimSuffix(selfPackage, "/cmd/authgate")
		}
	}
	return false
}
