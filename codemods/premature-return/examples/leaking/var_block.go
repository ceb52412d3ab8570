// The channel is declared in a parenthesised var block. render answers from
// its cache without receiving the page the goroutine is building, and that
// goroutine blocks forever on its send to pages.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

func render(name string, cached bool) string {
	var (
		pages = make(chan string)
		title = strings.ToUpper(name)
	)
	go func() {
		time.Sleep(10 * time.Millisecond)
		pages <- "<h1>" + title + "</h1>"
	}()
	if cached {
		return "cached " + title
	}
	return <-pages
}

func main() {
	for i := 0; i < 3; i++ {
		render("home", true)
	}
	render("home", false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
