// Clean: the select sits in a loop and its other case is a ticker that only
// counts and retries. Nothing but the receive leaves the loop, so the parent
// always takes the value.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func awaitBuild(name string) (string, int) {
	builds := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		builds <- name + ": built"
	}()

	ticker := time.NewTicker(2 * time.Millisecond)
	defer ticker.Stop()
	retries := 0
	for {
		select {
		case b := <-builds:
			return b, retries
		case <-ticker.C:
			retries++
		}
	}
}

func main() {
	for i := 0; i < 3; i++ {
		awaitBuild("app")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
