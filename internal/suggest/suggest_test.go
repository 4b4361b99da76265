package suggest

import (
	"slices"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"comand", "command", 1}, {"kitten", "sitting", 3}, {"abc", "", 3},
		{strings.Repeat("a", 65), "a", 65}, // past the bound: no hint
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	got := Closest("strng", []string{"string", "strong", "list", "string", "strng", "s8"}, 2, 3)
	if !slices.Equal(got, []string{"string", "strong"}) {
		t.Errorf("Closest = %q", got)
	}
	if got := Closest("x", []string{"abc"}, 1, 3); len(got) != 0 {
		t.Errorf("Closest far = %q", got)
	}
}
