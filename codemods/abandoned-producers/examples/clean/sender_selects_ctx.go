// The producer already selects on a context that the consumer cancels when
// it returns: it stops instead of blocking.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func firstBig(xs []int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	big := make(chan int)
	go func() {
		defer close(big)
		for _, x := range xs {
			if x > 10 {
				select {
				case big <- x:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	for x := range big {
		return x
	}
	return 0
}

func main() {
	for i := 0; i < 3; i++ {
		firstBig([]int{11, 12, 13})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
