// SPDX-License-Identifier: Apache-2.0
// The example Go service: POST /ingest takes a batch of log lines and answers a JSON summary.
// net/http/pprof serves /debug/pprof/ so `pgopipe collect http` can scrape CPU profiles.
//
//	server -addr :8080              serve
//	server -bench 3000              do 3000 requests' work in-process, print a checksum, exit
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
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

// bench runs n requests' work over 16 generated batches and prints their combined checksum.
func bench(n int) {
	var batches [16][]byte
	for i := range batches {
		batches[i] = ingest.Batch(uint64(i), batchLines)
	}
	p := ingest.NewProcessor()
	var lines, sum uint64
	for i := 0; i < n; i++ {
		s := p.Process(batches[i%len(batches)])
		lines += s.Lines
		sum = sum*31 + s.Checksum
	}
	fmt.Printf("requests: %d\nlines: %d\nchecksum: %016x\n", n, lines, sum)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	n := flag.Int("bench", 0, "run this many requests' work in-process, print a checksum and exit")
	cpuprofile := flag.String("cpuprofile", "", "with -bench: write a CPU profile of the run here")
	flag.Parse()
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
	http.HandleFunc("/ingest", ingestHandler)
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
