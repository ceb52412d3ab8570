// The worker hands its result over and then records statistics. A buffer
// would let the statistics be recorded after the caller gave up, which never
// happened before; on an early return the worker blocks on its send forever.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

var delivered atomic.Int64

func lookup(key string, strict bool) (int, error) {
	result := make(chan int)
	go func() {
		time.Sleep(5 * time.Millisecond)
		result <- len(key)
		delivered.Add(1) // bookkeeping after the handover
	}()
	if strict && key == "" {
		return 0, errors.New("empty key")
	}
	return <-result, nil
}

func main() {
	for i := 0; i < 3; i++ {
		lookup("", true)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
