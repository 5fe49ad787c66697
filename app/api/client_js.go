//go:build js && wasm

package api

import (
	"context"
	"errors"
	"syscall/js"
)

// send calls the browser's fetch, sending the page's cookies (same
// origin), and returns the answer's status and body.
func (c *Client) send(ctx context.Context, method, path string, r request) (int, []byte, error) {
	body, contentType, err := r.encode()
	if err != nil {
		return 0, nil, err
	}
	headers := map[string]any{"Accept": "application/json"}
	opts := map[string]any{"method": method, "credentials": "same-origin", "headers": headers}
	if contentType != "" {
		headers["Content-Type"] = contentType
		opts["body"] = body
	}
	for k, v := range r.headers {
		headers[k] = v
	}
	res, err := await(ctx, js.Global().Call("fetch", c.base+path, opts))
	if err != nil {
		return 0, nil, err
	}
	text, err := await(ctx, res.Call("text"))
	if err != nil {
		return 0, nil, err
	}
	return res.Get("status").Int(), []byte(text.String()), nil
}

// await waits for a JavaScript promise. It must run off the UI goroutine.
// The callbacks release themselves when the promise settles, which may be
// after ctx is done (a page left while its fetch was on its way).
func await(ctx context.Context, p js.Value) (js.Value, error) {
	done := make(chan js.Value, 1)
	failed := make(chan error, 1)
	var then, catch js.Func
	release := func() { then.Release(); catch.Release() }
	then = js.FuncOf(func(_ js.Value, args []js.Value) any { done <- args[0]; release(); return nil })
	catch = js.FuncOf(func(_ js.Value, args []js.Value) any {
		failed <- errors.New(args[0].Call("toString").String())
		release()
		return nil
	})
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
