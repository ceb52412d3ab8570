// The element type is an anonymous struct spread over several lines. When
// the name is empty, describe returns without receiving and the goroutine is
// stuck on its only send.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

func describe(name string) (int, error) {
	answer := make(chan struct {
		v   int
		err error
	})
	go func() {
		time.Sleep(10 * time.Millisecond)
		answer <- struct {
			v   int
			err error
		}{v: len(strings.Fields(name)), err: nil}
	}()
	if name == "" {
		return 0, errors.New("empty name")
	}
	got := <-answer
	return got.v, got.err
}

func main() {
	for i := 0; i < 3; i++ {
		describe("")
	}
	describe("Ada Lovelace")
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
