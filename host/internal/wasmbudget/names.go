package wasmbudget

const maxName = 80

// funcName finds function idx in the module's name section, for errors
// only (the name section usually follows the code, so it is read on demand).
// It returns "" when there is none or the section is malformed.
func funcName(b []byte, idx int) string {
	if idx < 0 || len(b) < 8 {
		return ""
	}
	s := scanner{b: b, pos: 8}
	for s.pos < len(s.b) && !s.bad {
		id := s.byte()
		size := s.u32()
		if s.bad || int64(size) > int64(len(s.b)-s.pos) {
			return ""
		}
		end := s.pos + int(size)
		if id == 0 {
			sec := scanner{b: s.b[:end], pos: s.pos}
			n := int(sec.u32())
			if !sec.bad && n <= len(sec.b)-sec.pos && string(sec.b[sec.pos:sec.pos+n]) == "name" {
				sec.pos += n
				return functionNames(&sec, idx)
			}
		}
		s.pos = end
	}
	return ""
}

// functionNames reads the name section's subsections for the function
// names map (id 1).
func functionNames(s *scanner, idx int) string {
	for s.pos < len(s.b) && !s.bad {
		id := s.byte()
		size := s.u32()
		if s.bad || int64(size) > int64(len(s.b)-s.pos) {
			return ""
		}
		end := s.pos + int(size)
		if id != 1 {
			s.pos = end
			continue
		}
		sub := scanner{b: s.b[:end], pos: s.pos}
		n := sub.u32()
		for i := uint32(0); i < n && !sub.bad; i++ {
			k := sub.u32()
			l := int(sub.u32())
			if sub.bad || l > len(sub.b)-sub.pos {
				return ""
			}
			if int64(k) == int64(idx) {
				// Guest text in an error message: keep it short (the
				// message quotes it, escaping control characters).
				return string(sub.b[sub.pos : sub.pos+min(l, maxName)])
			}
			sub.pos += l
		}
		return ""
	}
	return ""
}
