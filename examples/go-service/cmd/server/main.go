// SPDX-License-Identifier: Apache-2.0
// The example Go service: POST /ingest takes a batch of log lines and answers a JSON summary.
// net/http/pprof serves /debug/pprof/ so `pgopipe collect http` can scrape CPU profiles.
//
//	server -addr 127.0.0.1:8080    serve (port 0: any free port, logged on stderr)
//	server -bench 3000              do 3000 requests' work in-process, print a checksum, exit
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
	"runtime/pprof"
	"sync"

	"pgopipe.example/go-service/internal/ingest"
)

// batchLines is the size of the bench's batches (loadgen sends the same by default).
const batchLines = 1000

var processors = sync.Pool{New: func() any { return ingest.NewProcessor() }}

// ingestHandler answers POST /ingest with the batch's summary.
func ingestHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a batch of log lines", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p := processors.Get().(*ingest.Processor)
	s := p.Process(body)
	processors.Put(p)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}

// benchWriter is the ResponseWriter of -bench: it hashes the answers' bodies.
type benchWriter struct {
	header http.Header
	status int
	sum    hash.Hash64
}

func (w *benchWriter) Header() http.Header         { return w.header }
func (w *benchWriter) WriteHeader(status int)      { w.status = status }
func (w *benchWriter) Write(b []byte) (int, error) { return w.sum.Write(b) }

// bench serves n requests (16 generated batches in a cycle) through the service's handlers,
// without the network, so it runs the code the server runs; it prints a hash of the answers.
func bench(n int) {
	var batches [16][]byte
	for i := range batches {
		batches[i] = ingest.Batch(uint64(i), batchLines)
	}
	w := &benchWriter{header: http.Header{}, sum: fnv.New64a()}
	for i := 0; i < n; i++ {
		r, err := http.NewRequest(http.MethodPost, "/ingest", bytes.NewReader(batches[i%len(batches)]))
		if err != nil {
			log.Fatal(err)
		}
		w.status = http.StatusOK
		http.DefaultServeMux.ServeHTTP(w, r)
		if w.status != http.StatusOK {
			log.Fatalf("bench: request %d answered %d", i, w.status)
		}
	}
	fmt.Printf("requests: %d\nchecksum: %016x\n", n, w.sum.Sum64())
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	n := flag.Int("bench", 0, "run this many requests' work in-process, print a checksum and exit")
	cpuprofile := flag.String("cpuprofile", "", "with -bench: write a CPU profile of the run here")
	flag.Parse()
	http.HandleFunc("/ingest", ingestHandler)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	if *n > 0 {
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				log.Fatal(err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
			defer pprof.StopCPUProfile()
		}
		bench(*n)
		return
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on %s", ln.Addr()) // the real port when -addr ends in :0
	log.Fatal(http.Serve(ln, nil))
}
