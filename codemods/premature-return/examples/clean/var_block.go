// Clean: the channel is declared in a parenthesised var block and the parent
// receives from it on both paths, so the goroutine's one send always completes.
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
	page := <-pages
	if cached {
		return "cached " + title
	}
	return page
}

func main() {
	for i := 0; i < 3; i++ {
		render("home", true)
	}
	render("home", false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
