// Clean: the channel is kept in a struct field and received by a method, not
// in the function that made it, so the tool stays silent. The method has no
// timeout and every caller calls it, so nothing leaks.
package main

import (
	"fmt"
	"runtime"
	"time"
)

type download struct {
	url  string
	done chan int
}

func startDownload(url string) *download {
	done := make(chan int)
	d := &download{url: url}
	d.done = done
	go func() {
		time.Sleep(10 * time.Millisecond)
		done <- len(url)
	}()
	return d
}

func (d *download) bytes() int {
	return <-d.done
}

func main() {
	for i := 0; i < 3; i++ {
		d := startDownload("https://example.com/file")
		d.bytes()
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
