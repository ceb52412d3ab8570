// Clean: the function uses Go 1.26's new(expr), and the channel has a buffer
// of one, so the goroutine's send completes even after the select timed out.
package main

import (
	"fmt"
	"runtime"
	"time"
)

type Options struct {
	Retry *int
	Name  *string
}

func send(opts Options) string {
	time.Sleep(20 * time.Millisecond)
	return fmt.Sprint(*opts.Retry, *opts.Name)
}

func call(name string, timeout time.Duration) (string, bool) {
	opts := Options{Retry: new(3), Name: new(name + "-rpc")}
	replies := make(chan string, 1)
	go func() {
		replies <- send(opts)
	}()
	select {
	case reply := <-replies:
		return reply, true
	case <-time.After(timeout):
		return "", false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		call("ping", 2*time.Millisecond)
	}
	call("ping", time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
