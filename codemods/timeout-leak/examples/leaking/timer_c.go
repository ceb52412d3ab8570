// The parent races the render against a time.NewTimer and waits on timer.C.
// When the timer fires first, render returns and the goroutine is left
// blocked on its send to pages.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func render(title string, limit time.Duration) (string, bool) {
	pages := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		pages <- "<h1>" + strings.ToUpper(title) + "</h1>"
	}()

	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case page := <-pages:
		return page, true
	case <-timer.C:
		return "", false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		render("home", 2*time.Millisecond)
	}
	render("about", time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
