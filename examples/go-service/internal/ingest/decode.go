// SPDX-License-Identifier: Apache-2.0
// Schema-driven value decoding. Every field's value goes through the Decoder interface;
// most fields are numbers, so the hot call site's dynamic type is predominantly
// *uintDecoder: the case Go's PGO devirtualizes (a guarded direct call, then inlined).
package ingest

// Decoder turns a field's raw value into a 64-bit value for the aggregates.
type Decoder interface {
	// Decode returns the value's numeric form (what it means depends on the decoder).
	Decode(val []byte) uint64
}

// uintDecoder parses an unsigned number in base 10 or 16, stopping at the first byte that
// is not a digit; the result is multiplied by scale (e.g. to turn seconds into microseconds).
type uintDecoder struct {
	hex   bool
	scale uint64
}

func (d *uintDecoder) Decode(val []byte) uint64 {
	var n uint64
	for _, c := range val {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case d.hex && c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return n * d.scale
		}
		if d.hex {
			n = n<<4 | uint64(c)
		} else {
			n = n*10 + uint64(c)
		}
	}
	return n * d.scale
}

// enumDecoder returns the index of the value in a fixed table (len(values) if absent).
type enumDecoder struct{ values []string }

func (d *enumDecoder) Decode(val []byte) uint64 {
	for i, v := range d.values {
		if v == string(val) {
			return uint64(i)
		}
	}
	return uint64(len(d.values))
}

// hashDecoder returns the FNV-1a hash of the value (identifiers, paths).
type hashDecoder struct{}

func (hashDecoder) Decode(val []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range val {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// defaultSchema returns the decoder of each field.
func defaultSchema() [numFields]Decoder {
	num := &uintDecoder{scale: 1}
	return [numFields]Decoder{
		fTS:      &uintDecoder{scale: 1000000},
		fLevel:   &enumDecoder{values: []string{"debug", "info", "warn", "error"}},
		fSvc:     &enumDecoder{values: services},
		fRoute:   hashDecoder{},
		fStatus:  num,
		fLatency: num,
		fBytes:   num,
		fUser:    hashDecoder{},
		fTrace:   &uintDecoder{hex: true, scale: 1},
		fUnknown: hashDecoder{},
	}
}
