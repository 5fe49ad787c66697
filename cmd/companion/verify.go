package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/server/pg"
)

// auditVerify is `companion audit-verify`: it walks every month of the
// audit trail in DATABASE_URL, recomputing each row's hash from the row
// before it, and says for each month whether its chain is intact. It
// fails when any is broken.
func auditVerify(ctx context.Context, out io.Writer) error {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("audit-verify needs DATABASE_URL")
	}
	db, err := pg.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	chains, err := pg.NewAudit(db, cfg.AuditRetention, nil).Verify(ctx)
	if err != nil {
		return err
	}
	broken := 0
	for _, c := range chains {
		if c.Broken != 0 {
			broken++
			fmt.Fprintf(out, "%s: %d rows, BROKEN at row %d: it, or the row before it, was changed, removed or added\n", c.Partition, c.Rows, c.Broken)
			continue
		}
		fmt.Fprintf(out, "%s: %d rows, chain intact\n", c.Partition, c.Rows)
	}
	if broken > 0 {
		return fmt.Errorf("%d of %d months' audit chains are broken", broken, len(chains))
	}
	fmt.Fprintf(out, "audit trail intact: %d months\n", len(chains))
	return nil
}
