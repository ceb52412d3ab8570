// The fetcher hands the page over and then logs how long the handover took.
// A buffer would log a handover that never happened once the caller gave up;
// after a timeout the fetcher blocks on its send forever.
package main

import (
	"fmt"
	"runtime"
	"time"
)

var handovers []time.Duration

func fetch(url string, timeout time.Duration) (string, bool) {
	page := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		started := time.Now()
		page <- "<html>" + url
		handovers = append(handovers, time.Since(started))
	}()
	select {
	case p := <-page:
		return p, true
	case <-time.After(timeout):
		return "", false
	}
}

func main() {
	fetch("a", time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
