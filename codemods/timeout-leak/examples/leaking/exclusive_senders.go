// One of two goroutines is started, depending on the request, and both send
// on the same unbuffered channel; the select gives up after a timeout. When it
// does, the started goroutine blocks forever. One call sends at most one value
// (the branches exclude each other), so a buffer of one is enough.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func fromCache() int {
	time.Sleep(20 * time.Millisecond)
	return 1
}

func fromDisk() int {
	time.Sleep(30 * time.Millisecond)
	return 2
}

func read(cached bool) (int, bool) {
	result := make(chan int)
	if cached {
		go func() { result <- fromCache() }()
	} else {
		go func() { result <- fromDisk() }()
	}
	select {
	case v := <-result:
		return v, true
	case <-time.After(5 * time.Millisecond):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		read(i%2 == 0)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
