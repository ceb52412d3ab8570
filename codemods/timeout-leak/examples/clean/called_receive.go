// Clean: the function hands the channel to a helper that receives from it
// before it can return, so the goroutine's send always finds its receiver.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func awaitResult(c <-chan string) string {
	v := <-c
	return strings.ToUpper(v)
}

func render(page string) string {
	html := make(chan string)
	go func() {
		time.Sleep(5 * time.Millisecond)
		html <- "<h1>" + page + "</h1>"
	}()
	return awaitResult(html)
}

func main() {
	for i := 0; i < 3; i++ {
		render("home")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
