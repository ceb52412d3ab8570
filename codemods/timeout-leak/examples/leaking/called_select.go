// The function does not select itself: it hands the channel to a helper of
// the package that selects between the result and a timeout. When the timeout
// wins, the helper returns, the function returns, and the goroutine blocks
// forever on its send.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

var errTimeout = errors.New("timed out")

func awaitResult(c <-chan string, d time.Duration) (string, error) {
	select {
	case v := <-c:
		return v, nil
	case <-time.After(d):
		return "", errTimeout
	}
}

func render(page string) (string, error) {
	html := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		html <- "<h1>" + page + "</h1>"
	}()
	return awaitResult(html, 5*time.Millisecond)
}

func main() {
	for i := 0; i < 3; i++ {
		render("home")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
