// An unbuffered channel written as `make(chan string, 0)`. The parent reads
// the checksum only when the caller wants it, so in every other call the
// goroutine blocks on its send forever.
package main

import (
	"fmt"
	"hash/crc32"
	"runtime"
	"time"
)

func store(data []byte, wantSum bool) (int, string) {
	sums := make(chan string, 0)
	go func() {
		time.Sleep(10 * time.Millisecond)
		sums <- fmt.Sprintf("%08x", crc32.ChecksumIEEE(data))
	}()
	n := len(data)
	sum := ""
	if wantSum {
		sum = <-sums
	}
	return n, sum
}

func main() {
	for i := 0; i < 3; i++ {
		store([]byte("hello"), false)
	}
	store([]byte("hello"), true)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
