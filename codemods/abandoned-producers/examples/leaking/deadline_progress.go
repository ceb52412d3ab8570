// A copy reports its progress on a channel; the caller watches the progress
// in a loop and gives up when the deadline passes. The copy then blocks
// forever on its next progress report.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func watchCopy(chunks int, deadline time.Duration) error {
	progress := make(chan int)
	go func() {
		for done := 1; done <= chunks; done++ {
			time.Sleep(2 * time.Millisecond)
			progress <- done * 100 / chunks
		}
		close(progress)
	}()
	timeout := time.After(deadline)
	for {
		select {
		case p, ok := <-progress:
			if !ok {
				return nil
			}
			_ = p
		case <-timeout:
			return errors.New("copy timed out")
		}
	}
}

func main() {
	for i := 0; i < 3; i++ {
		watchCopy(50, 10*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
