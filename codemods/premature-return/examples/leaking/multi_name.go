// The channel is one of two names declared together:
// `sizes, err := make(chan int), validate(data)`. measure starts the size
// computation before it looks at err, and on a validation error it returns
// without receiving, so the goroutine blocks forever on its send to sizes.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func validate(data string) error {
	if data == "" {
		return errors.New("empty input")
	}
	return nil
}

func measure(data string) (int, error) {
	sizes, err := make(chan int), validate(data)
	go func() {
		time.Sleep(10 * time.Millisecond)
		sizes <- len(data)
	}()
	if err != nil {
		return 0, err
	}
	return <-sizes, nil
}

func main() {
	for i := 0; i < 3; i++ {
		measure("")
	}
	measure("abc")
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
