// Clean: the early return comes before the goroutine is started. Once the go
// statement runs, the parent receives unconditionally with no return in
// between, so the single send always completes.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func checkedLength(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty input")
	}
	lengths := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		lengths <- len(s)
	}()
	n := <-lengths
	return n, nil
}

func main() {
	for _, s := range []string{"", "abc", "", "hello"} {
		checkedLength(s)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
