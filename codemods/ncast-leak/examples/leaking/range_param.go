// Range over a slice parameter: one lookup goroutine per mirror, and the
// fastest answer wins. Only one send is ever received, so len(mirrors)-1
// goroutines stay blocked on the unbuffered channel.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func fastestMirror(mirrors []string) string {
	answers := make(chan string)
	for _, m := range mirrors {
		go func() {
			answers <- strings.TrimPrefix(m, "https://")
		}()
	}
	return <-answers
}

func main() {
	mirrors := []string{"https://a.example", "https://b.example", "https://c.example"}
	for i := 0; i < 3; i++ {
		fastestMirror(mirrors)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
