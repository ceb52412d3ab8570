// Clean: the function receives one result per goroutine in a loop and keeps
// the first error, but never leaves the loop early, so every send completes.
// And a loop that starts one goroutine and receives its value in the same
// iteration can return early without stranding anyone.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func run(task string) error {
	if task == "bad" {
		return errors.New("bad task")
	}
	time.Sleep(10 * time.Millisecond)
	return nil
}

func runAll(tasks []string) error {
	errc := make(chan error)
	for _, task := range tasks {
		go func() {
			errc <- run(task)
		}()
	}
	var first error
	for range tasks {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func runInTurn(tasks []string) error {
	errc := make(chan error)
	for _, task := range tasks {
		go func() {
			errc <- run(task)
		}()
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func main() {
	for i := 0; i < 3; i++ {
		runAll([]string{"bad", "a", "b"})
		runInTurn([]string{"a", "bad", "b"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
