// Clean: the seed's shape with close(input) right after the send loop. The
// workers drain the buffer, see the channel closed and return.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func convertRecords(records []string) []string {
	total := len(records)
	input := make(chan string, total)
	for _, record := range records {
		input <- record
	}
	close(input)

	output := make(chan string, total)
	for i := 0; i < 4; i++ {
		go upperWorker(input, output)
	}

	results := make([]string, 0, total)
	for i := 0; i < total; i++ {
		results = append(results, <-output)
	}
	return results
}

func upperWorker(input <-chan string, output chan<- string) {
	for v := range input {
		output <- strings.ToUpper(v)
	}
}

func main() {
	for i := 0; i < 3; i++ {
		convertRecords([]string{"alpha", "beta", "gamma", "delta", "epsilon"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
