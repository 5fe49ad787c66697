package main

import (
	"bufio"
	"github.com/nhs-companion/companion/server/web"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary gives the real server: COMPANION_BIN when set (`make test`
// builds it once for every suite; the path is absolute), else a fresh build.
func buildBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("COMPANION_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "companion")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// stubWeb makes a WEB_DIR with the files the server requires at start-up.
func stubWeb(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := web.WriteStubs(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestSandboxStartsServesAndShutsDownGracefully(t *testing.T) {
	bin := buildBinary(t)
	port, mport := freePort(t), freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "ADDR=127.0.0.1",
		"METRICS_ADDR=127.0.0.1:"+strconv.Itoa(mport), "WEB_DIR="+stubWeb(t), "COMPANION_ENV=", "REDIS_URL=")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	base := "http://127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not become healthy within 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, path := range []string{"/readyz", "/"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	res, err := http.Get("http://127.0.0.1:" + strconv.Itoa(mport) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "companion_http_requests_total") {
		t.Error("metrics listener does not serve Companion's metrics")
	}
	if res, err := http.Get(base + "/metrics"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("/metrics is exposed on the public listener")
		}
	}

	// SIGTERM (as a container runtime sends) stops it cleanly with exit 0.
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop within 10s of SIGTERM")
	}
	var log strings.Builder
	for l := range lines {
		log.WriteString(l + "\n")
	}
	if !strings.Contains(log.String(), `"msg":"stopped"`) {
		t.Errorf("no clean shutdown in the log (%s):\n%s", time.Since(start), log.String())
	}
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if !strings.HasPrefix(l, "{") {
			t.Errorf("log line is not JSON: %q", l)
		}
	}
}

func TestProductionWithSandboxPartsRefusesToStart(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "COMPANION_ENV=production", "PORT="+strconv.Itoa(freePort(t)), "WEB_DIR="+stubWeb(t))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("production started with sandbox parts")
	}
	if !strings.Contains(string(out), "refusing to start") || !strings.Contains(string(out), "REDIS_URL") {
		t.Errorf("unclear refusal: %s", out)
	}
}

func TestMissingBuildSaysWhatToRun(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(freePort(t)), "WEB_DIR="+t.TempDir(), "METRICS_ADDR=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "make build") {
		t.Errorf("want a refusal naming `make build`, got %v: %s", err, out)
	}
}
