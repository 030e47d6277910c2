// SPDX-License-Identifier: Apache-2.0
// Deterministic traffic: batches of structured log lines ("key=value" fields) as the
// service's clients send them. The same seed always produces the same bytes.
package ingest

import "strconv"

var (
	services = []string{"checkout", "cart", "search", "auth", "catalog", "payments", "ship", "reviews"}
	routes   = []string{"/api/cart", "/api/items", "/api/search?q=shoes", "/login", "/api/pay", "/api/track"}
	levels   = []string{"info", "info", "info", "info", "debug", "warn", "error"}
)

// rng is a xorshift64* generator: tiny, fast and identical on every platform.
type rng uint64

func (r *rng) next() uint64 {
	*r ^= *r >> 12
	*r ^= *r << 25
	*r ^= *r >> 27
	return uint64(*r) * 2685821657736338717
}

func (r *rng) pick(list []string) string { return list[r.next()%uint64(len(list))] }

// Batch returns a request body of n log lines generated from seed.
func Batch(seed uint64, n int) []byte {
	r := rng(seed*0x9E3779B97F4A7C15 + 1)
	b := make([]byte, 0, n*160)
	for i := 0; i < n; i++ {
		status := 200
		if v := r.next() % 100; v < 6 {
			status = 500 + int(v%4)
		} else if v < 15 {
			status = 400 + int(v%5)
		}
		b = append(b, "ts="...)
		b = strconv.AppendUint(b, 1700000000+r.next()%86400, 10)
		b = append(b, " level="...)
		b = append(b, r.pick(levels)...)
		b = append(b, " svc="...)
		b = append(b, r.pick(services)...)
		b = append(b, " route=\""...)
		b = append(b, r.pick(routes)...)
		b = append(b, "\" status="...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, " latency_us="...)
		b = strconv.AppendUint(b, 200+r.next()%(r.next()%50000+1), 10)
		b = append(b, " bytes="...)
		b = strconv.AppendUint(b, r.next()%65536, 10)
		b = append(b, " user=u"...)
		b = strconv.AppendUint(b, r.next()%5000, 10)
		b = append(b, " trace="...)
		b = strconv.AppendUint(b, r.next(), 16)
		b = append(b, '\n')
	}
	return b
}
