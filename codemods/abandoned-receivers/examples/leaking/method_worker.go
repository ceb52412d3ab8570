// Method worker: index starts four p.work goroutines, each ranging over jobs,
// then sends every text. Nothing ever closes jobs, so the workers block in
// their range loop forever.
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

type indexer struct {
	mu    sync.Mutex
	words map[string]int
}

func (p *indexer) index(texts []string) {
	jobs := make(chan string)
	for i := 0; i < 4; i++ {
		go p.work(jobs)
	}
	for _, t := range texts {
		jobs <- t
	}
}

func (p *indexer) work(jobs <-chan string) {
	for text := range jobs {
		n := len(strings.Fields(text))
		p.mu.Lock()
		p.words[text] = n
		p.mu.Unlock()
	}
}

func main() {
	p := &indexer{words: make(map[string]int)}
	for i := 0; i < 3; i++ {
		p.index([]string{"a b c", "d e", "f", "g h i j"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
