package api

import (
	"reflect"
	"testing"
)

// fill sets every field of v (a pointer to a struct) to a non-zero value.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("x")
		case reflect.Int:
			f.SetInt(1)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Ptr:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		default:
			t.Fatalf("fill: field %s of kind %s", v.Type().Field(i).Name, f.Kind())
		}
	}
}

// TestFreshKeepsOnlySharedState proves that nothing of one page's data
// survives a client-side navigation to another: every field but the shared
// ones is zero in the fresh state, whatever fields PageState gains.
func TestFreshKeepsOnlySharedState(t *testing.T) {
	shared := map[string]bool{"Locale": true, "User": true, "Staff": true, "Features": true, "ActingFor": true, "Unread": true,
		"NHSAppHome": true, "NHSAppWebView": true}
	var st PageState
	fill(t, reflect.ValueOf(&st).Elem())
	got := st.Fresh("/elsewhere")
	gv, sv := reflect.ValueOf(got), reflect.ValueOf(st)
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		switch {
		case name == "Path":
			if got.Path != "/elsewhere" {
				t.Errorf("Path = %q", got.Path)
			}
		case shared[name]:
			if !reflect.DeepEqual(gv.Field(i).Interface(), sv.Field(i).Interface()) {
				t.Errorf("shared field %s was not kept", name)
			}
		case !gv.Field(i).IsZero():
			t.Errorf("page field %s survived the navigation", name)
		}
	}
}
