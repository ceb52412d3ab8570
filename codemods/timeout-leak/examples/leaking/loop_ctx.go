// The select sits in a for loop: the ticker case keeps waiting, but the
// ctx.Done() case returns. When the deadline passes first, the loop is left
// for good and the goroutine blocks forever on its send to reports.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func buildReport(timeout time.Duration) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	reports := make(chan string)
	go func() {
		time.Sleep(30 * time.Millisecond)
		reports <- "report ready"
	}()

	ticker := time.NewTicker(time.Millisecond)
	defer ticker.Stop()
	beats := 0
	for {
		select {
		case r := <-reports:
			return r, beats, nil
		case <-ticker.C:
			beats++
		case <-ctx.Done():
			return "", beats, ctx.Err()
		}
	}
}

func main() {
	for i := 0; i < 3; i++ {
		buildReport(5 * time.Millisecond)
	}
	buildReport(time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
