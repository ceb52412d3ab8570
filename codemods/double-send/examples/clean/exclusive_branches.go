// The two sends are in branches that exclude each other (`if`/`else`), and an
// error branch that ends in `return`: one value per call, received once.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func half(n int) (int, error) {
	values := make(chan int)
	errs := make(chan error)
	go func() {
		if n%2 != 0 {
			errs <- errors.New("odd")
			return
		}
		values <- n / 2
	}()
	select {
	case v := <-values:
		return v, nil
	case err := <-errs:
		return 0, err
	}
}

func sign(n int) string {
	c := make(chan string)
	go func() {
		if n < 0 {
			c <- "negative"
		} else {
			c <- "not negative"
		}
	}()
	return <-c
}

func main() {
	for _, n := range []int{3, 4, -1} {
		_, _ = half(n)
		_ = sign(n)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
