// SPDX-License-Identifier: Apache-2.0
// Tokenising one log line into "key=value" fields. tokenize runs once per line and costs
// more than the Go compiler's default inlining budget (80 nodes): only a profile (-pgo)
// gets it inlined into the hot loop, which also lets its result live on the stack.
package ingest

// Field identifiers of the schema; fUnknown collects keys the schema does not know.
const (
	fTS = iota
	fLevel
	fSvc
	fRoute
	fStatus
	fLatency
	fBytes
	fUser
	fTrace
	fUnknown
	numFields
)

// isBlank reports whether c separates fields.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// maxFields bounds the fields read from one line; the rest of a longer line is ignored.
const maxFields = 16

// span is one field of a line: the key is line[k0:k1], the value line[v0:v1] (without its
// quotes; v0 == v1 when the key has no '=').
type span struct{ k0, k1, v0, v1 int32 }

// tokenize splits a line into its "key=value" fields (blank-separated; a quoted value may
// hold blanks and \" escapes). Its result slice escapes when the call is not inlined, so
// each line then costs a heap allocation; inlined, the slice lives on the caller's stack.
func tokenize(line []byte) []span {
	out := make([]span, 0, maxFields)
	i := 0
	for len(out) < maxFields {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		s := span{k0: int32(i)}
		for i < len(line) && line[i] != '=' && !isBlank(line[i]) {
			i++
		}
		s.k1, s.v0, s.v1 = int32(i), int32(i), int32(i)
		if i < len(line) && line[i] == '=' {
			i++
			quoted := i < len(line) && line[i] == '"'
			if quoted {
				i++
			}
			s.v0 = int32(i)
			for i < len(line) && (quoted && line[i] != '"' || !quoted && !isBlank(line[i])) {
				if quoted && line[i] == '\\' && i+1 < len(line) {
					i++
				}
				i++
			}
			s.v1 = int32(i)
			if quoted && i < len(line) {
				i++ // the closing quote
			}
		}
		out = append(out, s)
	}
	return out
}

// fieldID maps a key to its schema field (fUnknown when the schema has no such key).
func fieldID(key []byte) int {
	switch string(key) {
	case "ts", "time", "timestamp":
		return fTS
	case "level", "lvl", "severity":
		return fLevel
	case "svc", "service":
		return fSvc
	case "route", "path", "url":
		return fRoute
	case "status", "code":
		return fStatus
	case "latency_us", "duration_us":
		return fLatency
	case "bytes", "size":
		return fBytes
	case "user", "uid":
		return fUser
	case "trace", "trace_id":
		return fTrace
	}
	return fUnknown
}
