// SPDX-License-Identifier: Apache-2.0
// Load generator for the example service: POSTs generated log batches to /ingest from
// several workers until a duration has passed, a number of requests has been sent or it
// is interrupted (SIGINT/SIGTERM), then prints the totals.
//
//	loadgen -url http://127.0.0.1:8080/ingest -duration 20s -concurrency 2
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"pgopipe.example/go-service/internal/ingest"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/ingest", "the service's /ingest URL")
	duration := flag.Duration("duration", 10*time.Second, "stop after this long (0: no limit)")
	requests := flag.Int64("requests", 0, "stop after this many requests (0: no limit)")
	workers := flag.Int("concurrency", 2, "requests in flight at once")
	lines := flag.Int("lines", 1000, "log lines per request")
	seed := flag.Uint64("seed", 1, "first seed of the generated batches")
	flag.Parse()
	if *duration <= 0 && *requests <= 0 {
		log.Fatal("loadgen: give -duration or -requests")
	}

	// 16 distinct batches, sent round-robin (generating them per request would load this process).
	var batches [16][]byte
	for i := range batches {
		batches[i] = ingest.Batch(*seed+uint64(i), *lines)
	}
	var deadline time.Time
	if *duration > 0 {
		deadline = time.Now().Add(*duration)
	}
	// SIGINT/SIGTERM end the run early; the totals are printed either way.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var sent, failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := sent.Add(1)
				if (*requests > 0 && n > *requests) || (!deadline.IsZero() && time.Now().After(deadline)) || ctx.Err() != nil {
					sent.Add(-1)
					return
				}
				if err := post(ctx, *url, batches[n%int64(len(batches))]); err != nil && ctx.Err() == nil {
					if failed.Add(1) == 1 {
						log.Printf("loadgen: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	fmt.Printf("requests: %d\nfailed: %d\nrequests_per_second: %.1f\n", sent.Load(), failed.Load(), float64(sent.Load())/secs)
	if failed.Load() > 0 {
		log.Fatal("loadgen: some requests failed")
	}
}

// post sends one batch and drains the answer (so the connection is reused).
func post(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", url, resp.Status)
	}
	return err
}
