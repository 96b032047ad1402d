// Command athos-tray keeps an Athos API access token ready in the system
// tray and on the command line.
package main

import (
	"context"
	"os"

	"github.com/athos-tray/athos-tray/cli"
	_ "github.com/athos-tray/athos-tray/internal/locale" // must run before Fyne's init
)

func main() {
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	os.Exit(cli.Main(context.Background(), os.Args[1:], env))
}
