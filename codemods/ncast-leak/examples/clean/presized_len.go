// Clean: the parent takes only the first answer, but the channel already has
// room for one value per goroutine (len(hosts)), so the senders that lose the
// race still complete their send and exit.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func firstHost(hosts []string) string {
	found := make(chan string, len(hosts))
	for _, h := range hosts {
		go func() {
			found <- strings.ToLower(h)
		}()
	}
	return <-found
}

func main() {
	for i := 0; i < 3; i++ {
		firstHost([]string{"A.example", "B.example", "C.example"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
