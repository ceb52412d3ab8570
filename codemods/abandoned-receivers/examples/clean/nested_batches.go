// Clean: the send loop sits inside a loop over batches, and the channel is
// closed once after the outer loop, when every batch has been sent. Closing
// inside the outer loop would panic on the next batch's send.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func totalBatches(batches [][]int) int {
	items := make(chan int)
	sums := make(chan int, 4)
	for i := 0; i < 4; i++ {
		go batchWorker(items, sums)
	}
	for _, batch := range batches {
		for _, v := range batch {
			items <- v
		}
	}
	close(items)

	total := 0
	for i := 0; i < 4; i++ {
		total += <-sums
	}
	return total
}

func batchWorker(items <-chan int, sums chan<- int) {
	s := 0
	for v := range items {
		s += v
	}
	sums <- s
}

func main() {
	for i := 0; i < 3; i++ {
		totalBatches([][]int{{1, 2}, {3, 4, 5}, {6}})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
