// Command hazardlog keeps the clinical hazard log. It has two modes:
//
//	hazardlog
//	    renders docs/safety/hazards.json to docs/safety/hazard-log.md,
//	    after checking that every test it names exists;
//	hazardlog -passed FILE...
//	    checks, from the results `make test` recorded (bin/test-times),
//	    that every test the log names ran and passed.
//
// Run it from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/nhs-companion/companion/internal/hazards"
)

func main() {
	passed := flag.Bool("passed", false, "check the recorded results in the FILE arguments")
	flag.Parse()
	if err := run(*passed, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "hazardlog:", err)
		os.Exit(1)
	}
}

func run(passed bool, files []string) error {
	l, err := hazards.Load(hazards.JSONPath)
	if err != nil {
		return err
	}
	if passed {
		module, err := hazards.Module(".")
		if err != nil {
			return err
		}
		if err := hazards.Passed(l, module, files); err != nil {
			return err
		}
		fmt.Printf("hazard log: all %d evidence tests passed\n", len(l.Tests()))
		return nil
	}
	if problems := hazards.Resolve(".", l); len(problems) > 0 {
		return fmt.Errorf("hazard log names tests that do not exist:\n  %s", strings.Join(problems, "\n  "))
	}
	return os.WriteFile(hazards.MarkdownPath, hazards.Render(l), 0o644)
}
