package main

import "strings"

// sendUpperWords sends each word upper-cased, then closes out.
func sendUpperWords(words []string, out chan<- string) {
	defer close(out)
	for _, w := range words {
		out <- strings.ToUpper(w) // one per word
	}
}
