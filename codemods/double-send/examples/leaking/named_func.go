// The Go runtime's own leak-profile test pattern: a function that must send
// one message sends nil on its error path and then, lacking its `return`,
// sends again. It is started as `go sendResult(results, err)`, and
// fetch receives once.
// goleak-fix-test: unsafe-fix
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

type result struct{ value int }

// sendResult reports exactly one result.
func sendResult(results chan<- *result, err error) {
	if err != nil {
		// On an error, report nothing useful.
		results <- nil
	}
	results <- &result{value: 42}
}

func fetch(fail bool) *result {
	results := make(chan *result)
	var err error
	if fail {
		err = errors.New("failed")
	}
	go sendResult(results, err)
	return <-results
}

func main() {
	fetch(false)
	fetch(true)
	fetch(true)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
