// Clean: the channel is declared together with the error, but the error is
// checked before the goroutine starts. Once it starts, the parent always
// receives its one value.
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
	if err != nil {
		return 0, err
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		sizes <- len(data)
	}()
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
