package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// machineDB is the machine's PostgreSQL, trusted on loopback.
const machineDB = "postgres://postgres@127.0.0.1:5432/postgres"

// createDatabase makes an empty database on the machine's PostgreSQL for
// this run and returns its URL and a func that drops it.
func createDatabase(ctx context.Context) (string, func(), error) {
	admin, err := pgx.Connect(ctx, machineDB)
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w (or pass -database-url)", machineDB, err)
	}
	name := "capacity_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, err
	}
	drop := func() {
		admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(context.Background())
	}
	return strings.TrimSuffix(machineDB, "/postgres") + "/" + name, drop, nil
}
