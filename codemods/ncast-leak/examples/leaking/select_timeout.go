// First answer wins, with a timeout: each replica answers on an unbuffered
// channel and the parent selects between one answer and time.After. Whichever
// case fires, the replicas that answer later block forever on their send.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func queryReplicas(replicas []string, timeout time.Duration) (string, bool) {
	replies := make(chan string)
	for _, r := range replicas {
		go func() {
			time.Sleep(time.Millisecond) // simulated network round trip
			replies <- r
		}()
	}
	select {
	case r := <-replies:
		return r, true
	case <-time.After(timeout):
		return "", false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		queryReplicas([]string{"r1", "r2", "r3", "r4"}, 100*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
