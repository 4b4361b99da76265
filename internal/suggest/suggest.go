// Package suggest finds the names a misspelt one was probably meant to be,
// for "did you mean" hints in errors and editor quick fixes.
package suggest

import "sort"

// maxLen bounds the names compared: the distance is quadratic, and names
// longer than this are never typos worth a hint.
const maxLen = 64

// Distance is the Levenshtein distance between a and b, counted in bytes;
// past maxLen bytes it is the longer length (no hint).
func Distance(a, b string) int {
	if len(a) > maxLen || len(b) > maxLen {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns up to n distinct candidates within limit edits of name
// (and not name itself), nearest first, ties in the candidates' order.
func Closest(name string, candidates []string, limit, n int) []string {
	type scored struct {
		s string
		d int
	}
	var hits []scored
	seen := map[string]bool{}
	for _, c := range candidates {
		if c == name || seen[c] {
			continue
		}
		seen[c] = true
		if d := Distance(name, c); d <= limit {
			hits = append(hits, scored{c, d})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].d < hits[j].d })
	out := make([]string, 0, min(n, len(hits)))
	for _, h := range hits[:min(n, len(hits))] {
		out = append(out, h.s)
	}
	return out
}
