// Clean: two go statements send once each, and the function receives twice.
// As many receives as senders: nobody is left blocked.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func check(name string) error {
	time.Sleep(5 * time.Millisecond)
	if name == "" {
		return errors.New("empty name")
	}
	return nil
}

func checkBoth(a, b string) error {
	errc := make(chan error)
	go func() { errc <- check(a) }()
	go func() { errc <- check(b) }()
	return errors.Join(<-errc, <-errc)
}

func main() {
	for i := 0; i < 3; i++ {
		checkBoth("a", "")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
