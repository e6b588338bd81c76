package main

import (
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// examples is the EXAMPLES section of each command's help, by command
// path ("" is ffchar itself). They are shell command lines, run as shown:
// TestHelpExamples runs every one, in the order of the app's commands, in
// an empty folder with an empty cache, and fails on a nonzero exit. So an
// example must be quick there (the smoke profile trains in seconds) and
// may use what an earlier one made (out/smoke, results/smoke).
var examples = map[string][]string{
	"": {
		"ffchar run --profile smoke                    # every stage into the cache; prints how to publish",
		"ffchar publish --profile smoke                # results/smoke/ from the cache",
		"ffchar train --depth 2 --width 100 --epochs 2 --train-limit 2000 --out m.parquet",
	},
	"train": {
		"ffchar train --depth 2 --width 100 --epochs 2 --train-limit 2000 --seed 1",
		"ffchar train --recipe pezeshki --depth 1 --width 100 --epochs 1 --train-limit 1000 --out m.parquet",
		"ffchar train --profile smoke --treatment depth=1,width=16 --replicate 0",
	},
	"run": {
		"ffchar run --profile smoke                    # through correlate, into the cache only",
		"ffchar run --profile smoke --results out      # and publish into out/smoke/",
		"ffchar run --profile smoke --until train --jobs 1 --set lr=0.01",
	},
	"prep": {
		"ffchar prep --profile smoke",
	},
	"evaluate": {
		"ffchar evaluate --profile smoke",
		"ffchar evaluate --profile smoke --treatment depth=2,width=16 --replicate 1",
	},
	"correlate": {
		"ffchar correlate --profile smoke              # sweep tables, analysis, figures: cached, not published",
	},
	"publish": {
		"ffchar publish --profile smoke                # into results/smoke/",
		"ffchar publish --profile smoke --results out  # into out/smoke/",
	},
	"redraw": {
		"ffchar redraw --profile smoke --results out   # out/smoke/ from out/smoke/data",
		"ffchar redraw out/smoke                       # the same from the folder alone",
	},
	"status": {
		"ffchar status --profile smoke",
		"ffchar status --profile smoke --set lr=0.01 --why",
	},
	"check": {
		"ffchar check --profile smoke",
	},
	"slurm": {
		"ffchar slurm submit --profile smoke --cache /shared/ffchar-cache --dry-run",
	},
	"slurm submit": {
		"ffchar slurm submit --profile smoke --cache /shared/ffchar-cache --dry-run",
		"ffchar slurm submit --profile paper --cache /shared/ffchar-cache --array-size 100 --partition cpu --time 12:00:00 --dry-run",
	},
	"plan": {
		"ffchar plan --profile smoke --runs",
		"ffchar plan --profile paper --gflops 20       # the paper's scale at 20 GFLOP/s per worker",
	},
	"verify": {
		"ffchar verify --profile smoke --sample 2",
		"ffchar verify --sums results/smoke --sample 2 # recompute published runs, compare with their sums",
	},
	"gc": {
		"ffchar gc --dry-run",
		"ffchar gc --keep experiments/smoke.toml --grace 0s",
	},
	"completion": {
		"source <(ffchar completion)",
		"ffchar completion > ffchar.bash",
	},
	"help": {
		"ffchar help                                   # every command",
		"ffchar help run",
	},
}

// examplesSection renders lines as a help template's EXAMPLES section;
// each line is a template string constant, so nothing in it is read as
// template syntax.
func examplesSection(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nEXAMPLES:\n")
	for _, l := range lines {
		b.WriteString("   {{" + strconv.Quote(l) + "}}\n")
	}
	return b.String()
}

// addExamples appends each command's examples to its help. It runs after
// app.Setup, so that the help command urfave/cli adds gets them too.
func addExamples(app *cli.App) {
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + examplesSection(examples[""])
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for i, c := range cmds {
			path := strings.TrimSpace(prefix + " " + c.Name)
			// urfave/cli's help command may list itself among its
			// subcommands once it has run.
			if c.Name != "help" {
				walk(path, c.Subcommands)
			}
			lines := examples[path]
			if len(lines) == 0 {
				continue
			}
			if c.Name == "help" {
				// urfave/cli's help command is shared by every app: change a copy.
				h := *c
				h.HelpName = app.Name + " " + c.Name
				c = &h
				cmds[i] = c
			}
			tmpl := cli.CommandHelpTemplate
			if len(c.Subcommands) > 0 {
				// `ffchar help slurm` prints a command whose categories are
				// not set up yet: list its subcommands without them.
				tmpl = strings.Replace(cli.SubcommandHelpTemplate, `{{template "visibleCommandCategoryTemplate" .}}`, `{{template "visibleCommandTemplate" .}}`, 1)
			}
			c.CustomHelpTemplate = tmpl + examplesSection(lines)
		}
	}
	walk("", app.Commands)
}
