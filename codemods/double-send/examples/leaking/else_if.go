// An `if`/`else if` chain whose branches each send a failure but do not
// return, so both fall through to the success send after the chain. The fix
// ends each branch with a `return`, in one fix.
// goleak-fix-test: unsafe-fix
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func check(n int) error {
	done := make(chan error)
	go func() {
		if n < 0 {
			done <- errors.New("negative") // reported
		} else if n > 100 {
			done <- errors.New("too large")
		}
		done <- nil
	}()
	return <-done
}

func main() {
	for _, n := range []int{-1, 5, 500, 7} {
		_ = check(n)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
