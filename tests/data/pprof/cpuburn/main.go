// SPDX-License-Identifier: Apache-2.0
// cpuburn: a small CPU-bound Go program used by pgopipe's pprof tests. It writes a real
// runtime/pprof CPU profile (or a heap profile) while running a seed-dependent mix of work:
//
//	cpuburn -cpuprofile out.pb.gz -duration 1s -seed 1
//	cpuburn -heapprofile heap.pb.gz
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"
)

var sink int

//go:noinline
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func square(x int) int { return x * x } // inlined into its callers

func hashWork(rng *rand.Rand) {
	buf := make([]byte, 4096)
	rng.Read(buf)
	for i := 0; i < 64; i++ {
		s := sha256.Sum256(buf)
		buf[i] = s[0]
	}
}

func sortWork(rng *rand.Rand) {
	xs := make([]int, 2000)
	for i := range xs {
		xs[i] = square(rng.Intn(1 << 20))
	}
	sort.Ints(xs)
	sink += xs[0]
}

func mapWork(rng *rand.Rand) {
	m := make(map[int]int)
	for i := 0; i < 5000; i++ {
		m[rng.Intn(1000)] += square(i)
	}
	sink += len(m)
}

func stringWork(rng *rand.Rand) {
	var b strings.Builder
	for i := 0; i < 500; i++ {
		b.WriteString(fmt.Sprintf("%d-", rng.Intn(100)))
	}
	sink += strings.Count(b.String(), "1")
}

func main() {
	cpu := flag.String("cpuprofile", "", "write a CPU profile here")
	heap := flag.String("heapprofile", "", "write a heap profile here")
	duration := flag.Duration("duration", time.Second, "how long to run")
	seed := flag.Int64("seed", 1, "work mix seed")
	flag.Parse()
	rng := rand.New(rand.NewSource(*seed))
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	work := []func(*rand.Rand){hashWork, sortWork, mapWork, stringWork, func(*rand.Rand) { sink += fib(22) }}
	names := []string{"hash", "sort", "map", "string", "fib"}
	end := time.Now().Add(*duration)
	for time.Now().Before(end) {
		// Samples carry a "work" label (pprof.Do), so label handling is checked too.
		i := rng.Intn(len(work))
		pprof.Do(context.Background(), pprof.Labels("work", names[i]), func(context.Context) { work[i](rng) })
	}
	if *heap != "" {
		runtime.GC()
		f, err := os.Create(*heap)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println(sink > 0)
}
