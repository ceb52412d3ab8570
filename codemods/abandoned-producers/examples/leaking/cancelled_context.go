// The function already has a context that its deferred cancel ends when it
// returns: the producer gives up on that context rather than on a new channel.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func firstEven(xs []int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evens := make(chan int)
	go func() {
		for _, x := range xs {
			if x%2 == 0 {
				evens <- x
			}
		}
		close(evens)
	}()
	_ = ctx
	for x := range evens {
		return x
	}
	return -1
}

func main() {
	for i := 0; i < 3; i++ {
		firstEven([]int{1, 2, 4, 6})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
