// SPDX-License-Identifier: Apache-2.0
// A test service for the pprof scraper: serves net/http/pprof on 127.0.0.1 (an ephemeral
// port, printed as "listening on HOST:PORT"), keeps one goroutine busy in burnCPU, and
// serves /notpprof (200, not a profile) and /fail (500) for the error paths.
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
)

var sink uint64

//go:noinline
func burnCPU() {
	for {
		for i := uint64(0); i < 1_000_000; i++ {
			sink += i * i % 7
		}
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/notpprof", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello, this is not a profile")
	})
	http.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "deliberate failure", http.StatusInternalServerError)
	})
	go burnCPU()
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	if err := http.Serve(ln, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
