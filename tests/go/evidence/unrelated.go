// An evidence test program (tests/evidence.rs): two goroutines blocked forever in ways no
// codemod explains: one on a mutex that is never unlocked, one receiving from a channel
// that nobody sends on or closes. Their dumps must list both as unexplained.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

var mu sync.Mutex

func holdAndWait() {
	mu.Lock()
	go func() {
		mu.Lock()
	}()
}

func waitForSignal() {
	ready := make(chan struct{})
	go func() {
		<-ready
	}()
}

func main() {
	holdAndWait()
	waitForSignal()
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
