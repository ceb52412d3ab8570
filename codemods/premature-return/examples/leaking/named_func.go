// A goroutine started as `go squareInto(n, out)`, a plain function of this
// file whose last act is one send. On a cache hit cachedSquare returns before
// receiving, so squareInto blocks on its send forever.
package main

import (
	"fmt"
	"runtime"
	"time"
)

var squareCache = map[int]int{2: 4, 3: 9}

// squareInto does the slow computation and hands the result over.
func squareInto(n int, out chan<- int) {
	time.Sleep(10 * time.Millisecond)
	out <- n * n
}

func cachedSquare(n int) int {
	results := make(chan int)
	go squareInto(n, results)
	if v, ok := squareCache[n]; ok {
		return v
	}
	return <-results
}

func main() {
	for _, n := range []int{2, 3, 5, 2} {
		cachedSquare(n)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
