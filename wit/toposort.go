package wit

import (
	"container/heap"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// edge is a by-name dependency with the span of the reference.
type edge struct {
	name string
	span syntax.Span
}

// toposort orders names so every name comes after its dependencies. Among the
// names ready at any point the earliest in source order goes first, which
// keeps output stable across edits that do not change the graph (wit-parser
// orders the same way, so arena indices match it). kind names the things
// sorted in errors ("type", "interface or world").
//
// It keeps going: it reports every reference to an unknown name (and drops
// that edge), then the first cycle (and breaks it by placing the names left
// in source order), so it always returns every name. Its first report is
// the error wit-parser stops at.
func toposort(kind string, names []string, deps [][]edge, report func(*syntax.Error)) []string {
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	remaining := make([]int, len(names))
	reverse := make([][]int, len(names))
	for i, edges := range deps {
		remaining[i] = len(edges)
		for _, e := range edges {
			j, ok := index[e.name]
			if !ok {
				report(&syntax.Error{Span: e.span, Msg: kind + " `" + e.name + "` does not exist"})
				remaining[i]--
				continue
			}
			reverse[j] = append(reverse[j], i)
		}
	}
	ready := &intHeap{}
	for i := range names {
		if remaining[i] == 0 {
			*ready = append(*ready, i)
		}
	}
	heap.Init(ready)
	order := make([]string, 0, len(names))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, names[i])
		for _, j := range reverse[i] {
			remaining[j]--
			if remaining[j] == 0 {
				heap.Push(ready, j)
			}
		}
		reverse[i] = nil
	}
	if len(order) == len(names) {
		return order
	}
	reported := false
	for i, edges := range deps {
		if remaining[i] == 0 {
			continue
		}
		if !reported {
			for _, e := range edges {
				if j, ok := index[e.name]; ok && remaining[j] != 0 {
					report(&syntax.Error{Span: e.span, Msg: kind + " `" + e.name + "` depends on itself", Code: "wit/cycle"})
					reported = true
					break
				}
			}
		}
		order = append(order, names[i])
	}
	return order
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
