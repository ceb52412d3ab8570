// Clean: the values come from a generator goroutine that sends them and then
// closes the channel itself, so the ranging workers stop. The parent never
// sends on lines, so there is no send loop to close after.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func trimAll(raw []string) []string {
	lines := make(chan string)
	go func() {
		for _, r := range raw {
			lines <- r
		}
		close(lines)
	}()

	trimmed := make(chan string, len(raw))
	for i := 0; i < 4; i++ {
		go trimWorker(lines, trimmed)
	}

	out := make([]string, 0, len(raw))
	for range raw {
		out = append(out, <-trimmed)
	}
	return out
}

func trimWorker(lines <-chan string, trimmed chan<- string) {
	for l := range lines {
		trimmed <- strings.TrimSpace(l)
	}
}

func main() {
	for i := 0; i < 3; i++ {
		trimAll([]string{" a ", "b  ", "  c", "d"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
