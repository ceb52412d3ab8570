// Seed shape from "The NCast Leak": one goroutine per item sends its result on
// an unbuffered channel, but the parent receives only the first one. The other
// senders block forever.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstResult(items []int) any {
	c := make(chan any) // want "ncast-leak: the loop at line 14 starts a goroutine per iteration, each sending on unbuffered channel `c`, but the function receives once; the other senders block forever"
	for _, item := range items {
		go func() {
			c <- item * item
		}()
	}
	data := <-c
	return data
}

func main() {
	for i := 0; i < 3; i++ {
		firstResult([]int{1, 2, 3, 4})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
