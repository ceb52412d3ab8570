// The producer is a function of this package declared in another file
// (producer_in_other_file/words.go). The consumer returns on the first long
// word; the producer blocks forever on its next send. The fix passes it a
// stop channel, so it edits both files.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstLongWord(words []string) string {
	upper := make(chan string)
	go sendUpperWords(words, upper)
	for w := range upper {
		if len(w) > 3 {
			return w
		}
	}
	return ""
}

func main() {
	for i := 0; i < 3; i++ {
		firstLongWord([]string{"go", "chan", "select", "defer"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
