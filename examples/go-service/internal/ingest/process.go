// SPDX-License-Identifier: Apache-2.0
// One request's work: decode every line of a batch and fold it into per-service
// aggregates, then summarise. A Processor is reused across requests (no per-line allocation).
package ingest

import "bytes"

// Record is one decoded line: each schema field's decoded value and whether it was present.
type Record struct {
	val  [numFields]uint64
	seen uint32 // bit f is set when field f was present
}

// Aggregator folds records into a running aggregate.
type Aggregator interface {
	// Add folds one record in.
	Add(r *Record)
	// Fold mixes the aggregate into h and resets it.
	Fold(h uint64) uint64
}

// statsAgg keeps counts, error counts, latency sum and a log2 latency histogram.
type statsAgg struct {
	lines, errors, latency, bytes uint64
	hist                          [24]uint64
}

func (a *statsAgg) Add(r *Record) {
	a.lines++
	if r.val[fStatus] >= 500 {
		a.errors++
	}
	lat := r.val[fLatency]
	a.latency += lat
	a.bytes += r.val[fBytes]
	b := 0
	for lat > 1 && b < len(a.hist)-1 {
		lat >>= 1
		b++
	}
	a.hist[b]++
}

func (a *statsAgg) Fold(h uint64) uint64 {
	h = mix(mix(mix(mix(h, a.lines), a.errors), a.latency), a.bytes)
	for _, n := range a.hist {
		h = mix(h, n)
	}
	*a = statsAgg{}
	return h
}

// userAgg counts distinct users approximately (a 1024-bit linear counter) for one service.
type userAgg struct {
	statsAgg
	bits [16]uint64
}

func (a *userAgg) Add(r *Record) {
	a.statsAgg.Add(r)
	u := r.val[fUser] % 1024
	a.bits[u/64] |= 1 << (u % 64)
}

func (a *userAgg) Fold(h uint64) uint64 {
	for i, w := range a.bits {
		h = mix(h, w)
		a.bits[i] = 0
	}
	return a.statsAgg.Fold(h)
}

// mix folds v into the running checksum h.
func mix(h, v uint64) uint64 {
	h ^= v + 0x9E3779B97F4A7C15 + h<<6 + h>>2
	return h * 0xff51afd7ed558ccd
}

// Summary is the answer to one batch.
type Summary struct {
	Lines    uint64 `json:"lines"`
	Bad      uint64 `json:"bad"` // lines without a known service
	Errors   uint64 `json:"errors"`
	Checksum uint64 `json:"checksum"`
}

// Processor decodes batches; it is not safe for concurrent use.
type Processor struct {
	schema [numFields]Decoder
	bySvc  []Aggregator // indexed by the svc field's enum value
	rec    Record
}

// NewProcessor returns a processor with the default schema; "auth" also counts users.
func NewProcessor() *Processor {
	p := &Processor{schema: defaultSchema()}
	for _, s := range services {
		if s == "auth" {
			p.bySvc = append(p.bySvc, &userAgg{})
		} else {
			p.bySvc = append(p.bySvc, &statsAgg{})
		}
	}
	return p
}

// decodeLine fills p.rec from one line.
func (p *Processor) decodeLine(line []byte) {
	p.rec.seen = 0
	for _, s := range tokenize(line) {
		f := fieldID(line[s.k0:s.k1])
		p.rec.val[f] = p.schema[f].Decode(line[s.v0:s.v1])
		p.rec.seen |= 1 << f
	}
}

// Process decodes a batch of newline-separated lines and returns its summary.
func (p *Processor) Process(body []byte) Summary {
	var s Summary
	for len(body) > 0 {
		line := body
		if n := bytes.IndexByte(body, '\n'); n >= 0 {
			line, body = body[:n], body[n+1:]
		} else {
			body = nil
		}
		p.decodeLine(line)
		svc := p.rec.val[fSvc]
		if p.rec.seen&(1<<fSvc) == 0 || svc >= uint64(len(p.bySvc)) {
			s.Bad++
			continue
		}
		s.Lines++
		if p.rec.val[fStatus] >= 500 {
			s.Errors++
		}
		p.bySvc[svc].Add(&p.rec)
	}
	h := mix(mix(s.Lines, s.Bad), s.Errors)
	for _, a := range p.bySvc {
		h = a.Fold(h)
	}
	s.Checksum = h
	return s
}
