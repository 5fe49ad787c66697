// Package pgtest gives each test a database of its own on a real
// PostgreSQL: a fresh database on the server at PGTEST_URL (by default the
// machine's, postgres://postgres@127.0.0.1:5432/postgres), dropped when the
// test ends; or, when that server does not answer (or PGTEST_URL is
// "private"), a private server made
// with initdb on a free loopback port for the test process.
//
// It never touches an existing database's tables. It is a test helper:
// only _test.go files may import it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// defaultURL is the machine's PostgreSQL, trusted on loopback.
const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	serverOnce sync.Once
	serverURL  string
	serverErr  error
)

// MustDatabase creates an empty database for tb and returns its URL.
func MustDatabase(tb testing.TB) string {
	tb.Helper()
	serverOnce.Do(func() { serverURL, serverErr = findServer() })
	if serverErr != nil {
		tb.Fatalf("pgtest: no PostgreSQL: %v (install the Debian package postgresql, or set PGTEST_URL)", serverErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "companion_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, serverURL); err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, _ := url.Parse(serverURL)
	u.Path = "/" + name
	return u.String()
}

// findServer is PGTEST_URL or the machine's server if it answers, else a
// private one.
func findServer() (string, error) {
	want := os.Getenv("PGTEST_URL")
	if want == "private" {
		return startPrivate()
	}
	if want == "" {
		want = defaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, want)
	if err == nil {
		c.Close(ctx)
		return want, nil
	}
	if os.Getenv("PGTEST_URL") != "" {
		return "", err
	}
	return startPrivate()
}

// startPrivate runs initdb and pg_ctl for a server on a free loopback
// port, as the postgres user when the tests run as root (PostgreSQL
// refuses to run as root).
func startPrivate() (string, error) {
	bin, err := pgBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return "", err
	}
	// The server dies with the test process (SIGKILL from the kernel when
	// its parent goes), leaving only files in the temporary directory.
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return "", fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
		attr.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.SysProcAttr, c.Dir = attr, dir
		return c
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync").CombinedOutput(); err != nil {
		return "", fmt.Errorf("initdb: %v: %s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv := run("postgres", "-D", data, "-p", strconv.Itoa(port), "-k", dir, "-h", "127.0.0.1", "-c", "fsync=off")
	if err := srv.Start(); err != nil {
		return "", err
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, u)
		cancel()
		if err == nil {
			c.Close(context.Background())
			return u, nil
		}
	}
	srv.Process.Kill()
	return "", fmt.Errorf("private PostgreSQL did not start on port %d", port)
}

// pgBin is the directory of PostgreSQL's server programs.
func pgBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("initdb not found")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}
