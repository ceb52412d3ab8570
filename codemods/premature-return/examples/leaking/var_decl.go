// The channel is declared with `var ready = make(chan bool)`. warmUp gives up
// when the caller asks it not to wait, and the goroutine is left blocked on
// its only send because nobody will ever receive from ready.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func warmUp(wait bool) bool {
	var ready = make(chan bool)
	go func() {
		time.Sleep(10 * time.Millisecond)
		ready <- true
	}()
	if !wait {
		return false
	}
	ok, open := <-ready
	return ok && open
}

func main() {
	for i := 0; i < 3; i++ {
		warmUp(false)
	}
	warmUp(true)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
