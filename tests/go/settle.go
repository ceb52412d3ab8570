package main

// Added by tests/examples.rs beside each example program it runs, whose
// `time.Sleep(300 * time.Millisecond)` before counting goroutines it turns into
// `time.Sleep(goleakFixSettle())`. The example stays a program anyone can run on its own;
// the proof waits as long as the goroutines need, and no longer.

import (
	"runtime"
	"strings"
	"time"
)

// goleakFixSettle waits until the goroutine count means something, and returns 0 (the
// example's sleep then takes no time). It returns as soon as main is the only goroutine
// left (nothing leaked: the usual case, well before the old 300 ms). Otherwise it waits at
// least the old 300 ms, and until every other goroutine has been blocked on a channel or a
// lock for two polls in a row, since a goroutine still running or sleeping may yet finish: on
// a loaded machine that takes longer, and the count is not taken too early. Ten seconds at
// most.
func goleakFixSettle() time.Duration {
	start := time.Now()
	blockedPolls := 0
	for time.Since(start) < 10*time.Second {
		if runtime.NumGoroutine() == 1 {
			return 0
		}
		if othersBlocked() {
			blockedPolls++
		} else {
			blockedPolls = 0
		}
		if blockedPolls >= 2 && time.Since(start) >= 300*time.Millisecond {
			return 0
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0
}

// othersBlocked reports whether every goroutine but this one waits on a channel, a select,
// a wait group or a lock.
func othersBlocked() bool {
	buffer := make([]byte, 1<<20)
	n := runtime.Stack(buffer, true)
	// The current goroutine comes first; each goroutine's header reads
	// `goroutine 7 [chan send]:` or `goroutine 7 [chan send, 2 minutes]:`.
	for _, trace := range strings.Split(string(buffer[:n]), "\n\n")[1:] {
		header, _, _ := strings.Cut(trace, "\n")
		_, state, found := strings.Cut(header, "[")
		if !found {
			return false
		}
		state, _, _ = strings.Cut(state, "]")
		state, _, _ = strings.Cut(state, ",")
		switch state {
		case "chan send", "chan receive", "chan send (nil chan)", "chan receive (nil chan)",
			"select", "select (no cases)", "sync.WaitGroup.Wait", "sync.Mutex.Lock",
			"sync.RWMutex.Lock", "sync.RWMutex.RLock", "sync.Cond.Wait", "semacquire":
		default:
			return false
		}
	}
	return true
}
