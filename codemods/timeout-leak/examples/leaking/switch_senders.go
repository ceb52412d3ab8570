// The cases of a switch exclude each other: the "hedged" case starts two
// senders, the others one, so one call sends at most two values (the largest
// case, not the sum of all four starts). The select gives up after a timeout,
// and even when it does not, the slower hedged sender is never received.
// A buffer of two gives every send of any one call room.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func fromPrimary() int {
	time.Sleep(10 * time.Millisecond)
	return 1
}

func fromReplica() int {
	time.Sleep(20 * time.Millisecond)
	return 2
}

func query(mode string, timeout time.Duration) (int, bool) {
	result := make(chan int)
	switch mode {
	case "hedged":
		go func() { result <- fromPrimary() }()
		go func() { result <- fromReplica() }()
	case "primary":
		go func() { result <- fromPrimary() }()
	default:
		go func() { result <- fromReplica() }()
	}
	select {
	case v := <-result:
		return v, true
	case <-time.After(timeout):
		return 0, false
	}
}

func main() {
	query("hedged", time.Second)
	query("hedged", time.Millisecond)
	query("primary", time.Millisecond)
	query("replica", time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
