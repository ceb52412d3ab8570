// Three go statements, written out one by one, each send their server's
// error on one unbuffered channel, and the function returns the first error
// it receives. The other two servers' goroutines block forever on their sends.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func serve(name string, delay time.Duration) error {
	time.Sleep(delay)
	return errors.New(name + " stopped")
}

func runServers() error {
	errc := make(chan error)
	go func() { errc <- serve("http", 5*time.Millisecond) }()
	go func() { errc <- serve("grpc", 10*time.Millisecond) }()
	go func() { errc <- serve("metrics", 15*time.Millisecond) }()
	return <-errc
}

func main() {
	for i := 0; i < 3; i++ {
		runServers()
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
