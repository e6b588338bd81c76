package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/ffchar/ffchar/backend"
	"github.com/urfave/cli/v2"
)

// newApp builds the command-line interface.
func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "ffchar",
		Usage: "train and characterise Forward-Forward networks",
		Description: `ffchar reproduces and extends "The Forward-Forward Algorithm: Characterizing
Training Behavior" (Adamson, 2025): it trains Forward-Forward networks on MNIST,
records every layer's and the model's accuracy each epoch, and analyses how
layers learn.`,
		Writer:               stdout,
		ErrWriter:            stderr,
		HideHelpCommand:      false,
		Suggest:              true,
		EnableBashCompletion: true,
		Commands:             append(append([]*cli.Command{trainCommand()}, pipelineCommands()...), completionCommand()),
		Version:              version,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	// Misused flags of any command are usage errors (exit status 2).
	var mark func(cmds []*cli.Command)
	mark = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = app.OnUsageError
			mark(c.Subcommands)
		}
	}
	mark(app.Commands)
	app.Setup()
	nestedHelp(app)
	addExamples(app)
	cli.VersionPrinter = printVersion
	return app
}

// nestedHelp makes `ffchar help slurm submit` show the help of slurm's
// submit: urfave/cli's help command reads only its first argument. With
// more, it names a subcommand path, whose --help it shows.
func nestedHelp(app *cli.App) {
	help := app.Command("help")
	show := help.Action
	help.Action = func(ctx *cli.Context) error {
		args := ctx.Args().Slice()
		if len(args) < 2 {
			return show(ctx)
		}
		c := app.Command(args[0])
		for _, name := range args[1:] {
			if c == nil {
				break
			}
			c = subcommand(c, name)
		}
		if c == nil {
			return usageError{fmt.Errorf("help: no command %q", strings.Join(args, " "))}
		}
		return app.Run(append(append([]string{app.Name}, args...), "--help"))
	}
}

// subcommand returns c's subcommand called name, or nil (App.Command for a
// command).
func subcommand(c *cli.Command, name string) *cli.Command {
	for _, sub := range c.Subcommands {
		if sub.HasName(name) {
			return sub
		}
	}
	return nil
}

// bashCompletion completes ffchar's commands and flags in bash: it asks
// the program itself (urfave/cli's --generate-bash-completion).
const bashCompletion = `_ffchar_complete() {
  local cur words
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == "-"* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o bashdefault -o default -F _ffchar_complete ffchar
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the bash completion of ffchar's commands and flags",
		UsageText: "source <(ffchar completion)",
		Action: func(c *cli.Context) error {
			_, err := fmt.Fprint(c.App.Writer, bashCompletion)
			return err
		},
	}
}

// printVersion is --version: ffchar's version and the BLAS it computes with
// (library, kernel and, for OpenBLAS, its build configuration), then what
// portable arithmetic pins and whether this machine can run it.
func printVersion(c *cli.Context) {
	fmt.Fprintf(c.App.Writer, "ffchar version %s\nBLAS %s\n", c.App.Version, backend.Describe())
	if cfg := backend.Config(); cfg != "" {
		fmt.Fprintf(c.App.Writer, "BLAS config %s\n", cfg)
	}
	fmt.Fprintf(c.App.Writer, "%s\n", backend.PortableStatus())
}

// flagError reports a flag value out of range, naming flag and range.
func flagError(flag string, value any, want string) error {
	return usageError{fmt.Errorf("--%s %v: %s", flag, value, want)}
}

// version is reported by --version with the BLAS backend and kernel, which
// change numbers and are also printed by every command that computes.
const version = "0.1.0"
