package pg

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// counter counts the statements the application's pool sends, for the
// companion_pg_statements_total metric: a query or exec, or each query of
// a batch.
type counter struct{ statements prometheus.Counter }

func newCounter() counter {
	return counter{statements: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "companion_pg_statements_total", Help: "SQL statements sent to PostgreSQL by the application's pool.",
	})}
}

func (c counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.statements.Inc()
	return ctx
}

func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (c counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.statements.Inc()
}

func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
