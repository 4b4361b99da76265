package lsp

import (
	"context"
	"os"
	"path/filepath"
	"sort"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/bigband-dev/bigband/lsp/analysis"
)

// Text synchronisation runs on the read loop, in order: it only records the
// new text and starts a diagnostics job, which runs concurrently.

func (s *Server) DidOpen(ctx context.Context, params *protocol.DidOpenTextDocumentParams) error {
	td := params.TextDocument
	path, virtual := pathOf(td.URI)
	snap := s.sess.update(func() {
		s.sess.docs[path] = &doc{uri: td.URI, version: td.Version, text: []byte(td.Text)}
		s.sess.uris[path] = td.URI
	})
	root, single := s.sess.placeOf(path, virtual)
	s.sess.diagnose(snap, root, single)
	return nil
}

func (s *Server) DidChange(ctx context.Context, params *protocol.DidChangeTextDocumentParams) error {
	path, virtual := pathOf(params.TextDocument.URI)
	var applied bool
	snap := s.sess.update(func() {
		d := s.sess.docs[path]
		if d == nil {
			d = &doc{uri: params.TextDocument.URI}
			s.sess.docs[path] = d
			s.sess.uris[path] = d.uri
		}
		text := d.text
		for _, ch := range params.ContentChanges {
			switch c := ch.(type) {
			case *protocol.TextDocumentContentChangeWholeDocument:
				text = []byte(c.Text)
			case *protocol.TextDocumentContentChangePartial:
				m := newMapper(text)
				start, end := m.offset(c.Range.Start), m.offset(c.Range.End)
				if end < start {
					start, end = end, start
				}
				nt := make([]byte, 0, len(text)-(end-start)+len(c.Text))
				nt = append(append(append(nt, text[:start]...), c.Text...), text[end:]...)
				text = nt
			}
		}
		// Buffers are replaced, never modified in place: older snapshots
		// still read the old slice.
		d.text = text
		d.version = params.TextDocument.Version
		applied = true
	})
	if applied {
		root, single := s.sess.placeOf(path, virtual)
		s.sess.diagnose(snap, root, single)
	}
	return nil
}

func (s *Server) DidSave(ctx context.Context, params *protocol.DidSaveTextDocumentParams) error {
	path, virtual := pathOf(params.TextDocument.URI)
	snap := s.sess.update(func() {
		if params.Text != nil {
			if d := s.sess.docs[path]; d != nil {
				d.text = []byte(*params.Text)
			}
		}
	})
	root, single := s.sess.placeOf(path, virtual)
	s.sess.diagnose(snap, root, single)
	return nil
}

func (s *Server) DidClose(ctx context.Context, params *protocol.DidCloseTextDocumentParams) error {
	path, virtual := pathOf(params.TextDocument.URI)
	snap := s.sess.update(func() { delete(s.sess.docs, path) })
	root, single := s.sess.placeOf(path, virtual)
	if single {
		// Nothing remains to check: clear what was shown.
		_ = s.client.PublishDiagnostics(ctx, &protocol.PublishDiagnosticsParams{URI: params.TextDocument.URI, Diagnostics: []protocol.Diagnostic{}})
		return nil
	}
	s.sess.diagnose(snap, root, single)
	return nil
}

// DidChangeWatchedFiles re-checks every package with an open buffer: a
// file created, changed or deleted on disk may belong to any of them.
func (s *Server) DidChangeWatchedFiles(ctx context.Context, params *protocol.DidChangeWatchedFilesParams) error {
	s.rediagnoseAll()
	return nil
}

func (s *Server) rediagnoseAll() {
	snap := s.sess.update(func() {})
	roots := map[string]bool{}
	for p := range snap.overlays {
		r, single := s.sess.placeOf(p, isVirtual(p))
		roots[r] = single
	}
	for r, single := range roots {
		s.sess.diagnose(snap, r, single)
	}
}

var severities = map[analysis.Severity]protocol.DiagnosticSeverity{
	analysis.Error:   protocol.DiagnosticSeverityError,
	analysis.Warning: protocol.DiagnosticSeverityWarning,
	analysis.Info:    protocol.DiagnosticSeverityInformation,
}

// mapperFor returns a mapper for a file of pkg, or reads it (related
// information may point at files outside it).
func mapperFor(pkg *analysis.Package, path string) *mapper {
	if pkg != nil {
		if f := pkg.File(path); f != nil {
			return newMapper(f.Src)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) > analysis.MaxFileSize {
		return newMapper(nil)
	}
	return newMapper(b)
}

func (ss *session) convertDiags(pkg *analysis.Package, path string, ds []analysis.Diagnostic) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(ds))
	m := mapperFor(pkg, path)
	for _, d := range ds {
		pd := protocol.Diagnostic{
			Range:    m.rng(d.Start, d.End),
			Severity: severities[d.Severity],
			Code:     protocol.String(d.Code),
			Source:   protocol.NewOptional("bigband"),
			Message:  protocol.String(d.Message),
		}
		for _, r := range d.Related {
			rm := m
			if r.Path != path {
				rm = mapperFor(pkg, r.Path)
			}
			pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
				Location: protocol.Location{URI: ss.uriOf(r.Path), Range: rm.rng(r.Start, r.End)},
				Message:  r.Message,
			})
		}
		out = append(out, pd)
	}
	return out
}

func sortStrings(s []string) { sort.Strings(s) }

// fileFor resolves a request's document to its analysis, on the newest
// snapshot.
func (s *Server) fileFor(ctx context.Context, u uri.URI) (*analysis.Package, *analysis.File, *mapper, error) {
	path, virtual := pathOf(u)
	root, single := s.sess.placeOf(path, virtual)
	snap := s.sess.current()
	pkg, err := s.sess.pkg(ctx, snap, root, single)
	if err != nil {
		return nil, nil, nil, err
	}
	f := pkg.File(path)
	if f == nil {
		if filepath.Ext(path) != ".wit" {
			return nil, nil, nil, errNoFile
		}
		return pkg, nil, nil, errNoFile
	}
	return pkg, f, newMapper(f.Src), nil
}
