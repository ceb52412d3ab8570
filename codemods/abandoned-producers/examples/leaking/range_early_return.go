// The producer sends one line per record; the consumer ranges over the
// channel and returns on the first match. Every later send of the producer
// blocks forever: no buffer size is right for a stream.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func lines(records []string) []string {
	var out []string
	for _, r := range records {
		out = append(out, strings.ToUpper(r))
	}
	return out
}

func findFirst(records []string, prefix string) (string, bool) {
	matches := make(chan string) // one value per record
	go func() {
		defer close(matches)
		for _, line := range lines(records) {
			// Only lines with the prefix.
			if strings.HasPrefix(line, prefix) {
				matches <- line
			}
		}
	}()
	for m := range matches {
		return m, true
	}
	return "", false
}

func main() {
	records := []string{"ab", "ac", "ad", "b"}
	for i := 0; i < 3; i++ {
		findFirst(records, "A")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
