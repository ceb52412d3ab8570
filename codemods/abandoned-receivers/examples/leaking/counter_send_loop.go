// Three-clause send loop: countPrimes feeds 2..limit one by one to workers
// (a plain function, primeWorker) that range over candidates. candidates is
// never closed, so every worker outlives the call.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func countPrimes(limit int) int {
	candidates := make(chan int)
	verdicts := make(chan bool, limit)
	for i := 0; i < 4; i++ {
		go primeWorker(candidates, verdicts)
	}
	for n := 2; n <= limit; n++ {
		candidates <- n
	}

	count := 0
	for n := 2; n <= limit; n++ {
		if <-verdicts {
			count++
		}
	}
	return count
}

func primeWorker(candidates <-chan int, verdicts chan<- bool) {
	for n := range candidates {
		verdicts <- isPrime(n)
	}
}

func isPrime(n int) bool {
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return n >= 2
}

func main() {
	for i := 0; i < 3; i++ {
		countPrimes(50)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
