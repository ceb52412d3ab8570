// The number of attempts is a signed int: the loop starts n goroutines when n
// is positive and none when it is not. The first answer wins and the other
// goroutines block forever. The buffer is sized max(n, 0), which is exactly how
// many goroutines the loop starts and never negative (a negative size would make
// make panic where the loop simply ran zero times).
package main

import (
	"fmt"
	"runtime"
	"time"
)

func attempt(i int) int {
	time.Sleep(time.Duration(i+1) * time.Millisecond)
	return i
}

func fastest(n int) int {
	answers := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			answers <- attempt(i)
		}()
	}
	if n <= 0 {
		return -1
	}
	return <-answers
}

func main() {
	for i := 0; i < 3; i++ {
		fastest(3)
		fastest(-1)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
