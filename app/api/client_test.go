package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			b, _ := io.ReadAll(r.Body)
			if r.Method == "POST" && (r.Header.Get("Content-Type") != "application/json" || string(b) != `{"a":1}`) {
				http.Error(w, "bad body", 400)
				return
			}
			w.Write([]byte(`{"idle_deadline": 42}`))
		case "/nobody":
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"unauthenticated","message":"You need to sign in."}}`))
		}
	}))
	defer srv.Close()
	c := NewClient(srv.URL)
	var k KeepAlive
	if err := c.Post(context.Background(), "/ok", map[string]int{"a": 1}, &k); err != nil || k.IdleDeadline != 42 {
		t.Errorf("Post: %v %+v", err, k)
	}
	if err := c.Delete(context.Background(), "/nobody"); err != nil {
		t.Errorf("Delete: %v", err)
	}
	err := c.Get(context.Background(), "/nope", &k)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 401 || se.Body.Code != "unauthenticated" {
		t.Errorf("Get error: %v", err)
	}
}
