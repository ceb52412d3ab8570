// Clean: the sender offers its value with a non-blocking select and drops it
// (the default case) when nobody is waiting. An early return by the parent
// therefore cannot strand it.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func latestTemperature(skip bool) (int, bool) {
	readings := make(chan int)
	go func() {
		time.Sleep(5 * time.Millisecond)
		select {
		case readings <- 21:
		default:
		}
	}()
	if skip {
		return 0, false
	}
	select {
	case t := <-readings:
		return t, true
	case <-time.After(time.Second):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		latestTemperature(true)
	}
	latestTemperature(false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
