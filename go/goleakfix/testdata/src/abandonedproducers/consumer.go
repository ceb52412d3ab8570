// The consumer returns on the first long word; the producer, declared in
// producer.go, blocks forever on its next send. The fix edits both files.
package abandonedproducers

func FirstLong(words []string) string {
	upper := make(chan string) // want `abandoned-producers: goroutine started at line 7 sends a stream on .upper.`
	go sendUpper(words, upper)
	for w := range upper {
		if len(w) > 3 {
			return w
		}
	}
	return ""
}
