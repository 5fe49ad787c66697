package sample

import "testing"

func TestPasses(t *testing.T) { t.Log("not shown") }

func TestFails(t *testing.T) {
	t.Run("inner", func(t *testing.T) { t.Error("inner went wrong") })
}
