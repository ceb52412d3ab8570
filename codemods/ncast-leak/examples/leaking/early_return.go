// The function receives one result per goroutine in a loop, but returns on
// the first error it receives. Every goroutine whose result comes after that
// error blocks forever on its send.
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
	time.Sleep(20 * time.Millisecond)
	return nil
}

func runAll(tasks []string) error {
	errc := make(chan error)
	for _, task := range tasks {
		go func() {
			errc <- run(task)
		}()
	}
	for range tasks {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

func main() {
	for i := 0; i < 3; i++ {
		runAll([]string{"bad", "a", "b"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
