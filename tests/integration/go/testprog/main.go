// SPDX-License-Identifier: Apache-2.0
// A small Go program for pgopipe's Go tests: it burns CPU in a loop of interface calls
// (mode a or b shifts the time between two shapes, so their profiles differ), prints a
// checksum that must not depend on the build, and can write its own CPU or heap profile.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

type shape interface{ area(i int) uint64 }

type square struct{ side uint64 }
type ring struct{ r uint64 }

func (s square) area(i int) uint64 { return s.side*s.side + uint64(i&7) }
func (c ring) area(i int) uint64   { return 3*c.r*c.r + uint64(i&3) }

func work(shapes []shape, n int) uint64 {
	var sum uint64
	for i := 0; i < n; i++ {
		sum = sum*31 + shapes[i%len(shapes)].area(i)
	}
	return sum
}

func main() {
	n := flag.Int("n", 20000000, "loop iterations")
	mode := flag.String("mode", "a", "a: mostly squares, b: mostly rings")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here")
	heapProfile := flag.String("heapprofile", "", "write a heap profile here")
	flag.Parse()
	shapes := []shape{square{3}, square{5}, square{7}, ring{2}}
	if *mode == "b" {
		shapes = []shape{ring{2}, ring{4}, ring{6}, square{3}}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("checksum %d\n", work(shapes, *n))
	if *heapProfile != "" {
		f, err := os.Create(*heapProfile)
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
}
