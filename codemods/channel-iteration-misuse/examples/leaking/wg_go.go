// Go 1.25 WaitGroup.Go: producers are started with wg.Go and send one ID each,
// a consumer goroutine ranges over ids and records them. wg.Wait returns once
// every producer has sent, but ids is never closed, so the consumer leaks.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type registry struct {
	mu   sync.Mutex
	seen map[int]bool
}

func (r *registry) mark(id int) {
	r.mu.Lock()
	r.seen[id] = true
	r.mu.Unlock()
}

func register(reg *registry, users []int) {
	var wg sync.WaitGroup
	ids := make(chan int)
	go func() {
		for id := range ids {
			reg.mark(id)
		}
	}()
	for _, u := range users {
		wg.Go(func() {
			ids <- u * 10
		})
	}
	wg.Wait()
}

func main() {
	reg := &registry{seen: make(map[int]bool)}
	for i := 0; i < 3; i++ {
		register(reg, []int{1, 2, 3, 4})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
