// Producers that end with wg.Done(): each sends on the unbuffered events
// channel, then marks itself done. The consumer goroutine counts events under
// a mutex and ranges forever, because the parent never closes events.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type eventLog struct {
	mu    sync.Mutex
	count map[string]int
}

func publish(elog *eventLog, names []string) {
	var wg sync.WaitGroup
	events := make(chan string)
	go func() {
		for e := range events {
			elog.mu.Lock()
			elog.count[e]++
			elog.mu.Unlock()
		}
	}()
	for _, name := range names {
		wg.Add(1)
		go func() {
			events <- "start:" + name
			wg.Done()
		}()
	}
	wg.Wait()
}

func main() {
	elog := &eventLog{count: make(map[string]int)}
	for i := 0; i < 3; i++ {
		publish(elog, []string{"build", "test", "deploy"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
