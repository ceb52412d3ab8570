// On its error path, start sends the error on the channel it is about to
// return, itself. Nobody can be receiving yet (the caller does not have the
// channel), so that send blocks forever and start never returns.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func start(name string) <-chan error {
	errc := make(chan error)
	if name == "" {
		errc <- errors.New("empty name")
		return errc
	}
	go func() {
		time.Sleep(5 * time.Millisecond)
		errc <- nil
	}()
	return errc
}

func main() {
	for i := 0; i < 3; i++ {
		go func() {
			fmt.Println("start:", <-start(""))
		}()
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
