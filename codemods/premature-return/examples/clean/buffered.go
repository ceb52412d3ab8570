// Clean: same early return as the leaking shape, but the channel already has
// a buffer of one. The send lands in the buffer and the goroutine exits even
// when nobody receives.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func validate(a int) error {
	c := make(chan error, 1)
	go func() {
		time.Sleep(10 * time.Millisecond)
		c <- errors.New("validation failed")
	}()
	if a > 0 {
		return nil
	}
	return <-c
}

func main() {
	for i := 0; i < 3; i++ {
		validate(1)
	}
	validate(0)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
