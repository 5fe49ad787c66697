//go:build !unix

package nodefixture

// lockFile does not lock where flock is unavailable: test binaries for several
// packages may then race to install the provider. Run `npm ci` in the fixture first.
func lockFile(path string) (unlock func(), err error) {
	return func() {}, nil
}
