// Producers with defer wg.Done(): each producer sends a chunk size, a consumer
// goroutine ranges over sizes and adds them to a mutex-protected meter. The
// parent waits for the producers but never closes sizes, so the consumer leaks.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type meter struct {
	mu    sync.Mutex
	bytes int
}

func (m *meter) add(n int) {
	m.mu.Lock()
	m.bytes += n
	m.mu.Unlock()
}

func measure(m *meter, chunks []string) {
	var wg sync.WaitGroup
	sizes := make(chan int, 4)
	go func() {
		for n := range sizes {
			m.add(n)
		}
	}()
	for _, chunk := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sizes <- len(chunk)
		}()
	}
	wg.Wait()
}

func main() {
	m := &meter{}
	for i := 0; i < 3; i++ {
		measure(m, []string{"ab", "cde", "f", "ghij"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
