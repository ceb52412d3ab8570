// Seed shape from "Premature Function Return": the goroutine sends its error
// on an unbuffered channel, but example returns early when a > 0, so nobody
// ever receives and the sender stays blocked on its send.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

var errSeedFailed = errors.New("seed work failed")

func seedWork(fail bool) error {
	time.Sleep(10 * time.Millisecond)
	if fail {
		return errSeedFailed
	}
	return nil
}

func example(a int) error {
	c := make(chan error) // want "premature-return: goroutine started at line 25 sends on unbuffered channel `c`, but the function can return at line 34 before receiving; the send then blocks forever"
	go func() {
		err := seedWork(a < 0)
		c <- err
		return
	}()

	// do something

	if a > 0 {
		return nil
	}

	// do something

	err := <-c
	return err
}

func main() {
	for i := 0; i < 3; i++ {
		example(1)
	}
	example(0)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
