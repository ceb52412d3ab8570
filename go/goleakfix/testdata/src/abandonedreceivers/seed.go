// Seed shape from "The Abandoned Receivers": every record is loaded into a
// buffered input channel that is never closed, so once the buffer is empty the
// four workers ranging over it wait forever.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// processRecords loads the records into input, starts a pool of workers and
// receives one result per record.
func processRecords(records []string) []string {
	total := len(records)
	input := make(chan string, total) // want "abandoned-receivers: workers started at line 25 range over `input`, but it is never closed after the send loop at line 18; they block forever once it is drained"
	for _, record := range records {
		input <- record
	}

	output := make(chan string, total)
	workers := 4
	for i := 0; i < workers; i++ {
		go worker(i, input, output)
	}

	results := make([]string, 0, total)
	for i := 0; i < total; i++ {
		results = append(results, <-output)
	}
	return results
}

// worker cannot know how many records it will get, so it ranges over input
// until the channel is closed.
func worker(id int, input <-chan string, output chan<- string) {
	for v := range input {
		output <- fmt.Sprintf("%d:%s", id, strings.ToUpper(v))
	}
}

func main() {
	for i := 0; i < 3; i++ {
		processRecords([]string{"alpha", "beta", "gamma", "delta", "epsilon"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
