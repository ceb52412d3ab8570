// Clean: the channel is stored in a struct field and received later by a
// method, outside the function that made it. The tool cannot follow it and
// stays silent; here every caller does call wait, so nothing leaks.
package main

import (
	"fmt"
	"runtime"
	"time"
)

type pendingSum struct {
	result chan int
}

func startSum(nums []int) *pendingSum {
	result := make(chan int)
	p := &pendingSum{result: result}
	go func() {
		time.Sleep(10 * time.Millisecond)
		total := 0
		for _, n := range nums {
			total += n
		}
		result <- total
	}()
	return p
}

func (p *pendingSum) wait() int {
	return <-p.result
}

func main() {
	for i := 0; i < 3; i++ {
		p := startSum([]int{1, 2, 3})
		p.wait()
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
