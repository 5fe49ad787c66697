//go:build js && wasm

package api

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"
)

// do calls the browser's fetch, sending the page's cookies (same origin).
func (c *Client) do(ctx context.Context, method, path string, r request, out any) error {
	headers := map[string]any{"Accept": "application/json"}
	opts := map[string]any{"method": method, "credentials": "same-origin", "headers": headers}
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return err
		}
		headers["Content-Type"] = "application/json"
		opts["body"] = string(b)
	}
	res, err := await(ctx, js.Global().Call("fetch", c.base+path, opts))
	if err != nil {
		return err
	}
	text, err := await(ctx, res.Call("text"))
	if err != nil {
		return err
	}
	return decode(res.Get("status").Int(), []byte(text.String()), out)
}

// await waits for a JavaScript promise. It must run off the UI goroutine.
func await(ctx context.Context, p js.Value) (js.Value, error) {
	done := make(chan js.Value, 1)
	failed := make(chan error, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any { done <- args[0]; return nil })
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		failed <- errors.New(args[0].Call("toString").String())
		return nil
	})
	defer then.Release()
	defer catch.Release()
	p.Call("then", then).Call("catch", catch)
	select {
	case v := <-done:
		return v, nil
	case err := <-failed:
		return js.Value{}, err
	case <-ctx.Done():
		return js.Value{}, ctx.Err()
	}
}
