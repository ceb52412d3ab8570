// The parent waits for the lookup in a select beside `<-time.After(d)`. When
// the timer fires first, fetchName returns and the goroutine is left blocked
// on its send to names.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func fetchName(id int, d time.Duration) (string, error) {
	names := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		names <- fmt.Sprintf("user-%d", id)
	}()
	select {
	case name := <-names:
		return name, nil
	case <-time.After(d):
		return "", errors.New("lookup timed out")
	}
}

func main() {
	for i := 0; i < 3; i++ {
		fetchName(i, 2*time.Millisecond)
	}
	fetchName(9, time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
