// The caller starts the lookup, then validates its input and returns early on
// an error, before it receives the result: the lookup's goroutine blocks
// forever on its send.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

type result struct {
	rows int
	err  error
}

func query(sql string) <-chan result {
	out := make(chan result)
	go func() {
		time.Sleep(5 * time.Millisecond)
		out <- result{rows: len(sql)}
	}()
	return out
}

func count(sql string, limit int) (int, error) {
	pending := query(sql)
	if limit <= 0 {
		return 0, errors.New("limit must be positive")
	}
	r := <-pending
	return min(r.rows, limit), r.err
}

func main() {
	for i := 0; i < 3; i++ {
		count("select 1", 0)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
