//go:build !unix

package oidctest

// lockFile does not lock where flock is unavailable: test binaries for several
// packages may then race to install the provider. Run `npm ci` in op first.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, nil
}
