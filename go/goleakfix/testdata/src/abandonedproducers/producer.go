package abandonedproducers

import "strings"

func sendUpper(words []string, out chan<- string) {
	defer close(out)
	for _, w := range words {
		out <- strings.ToUpper(w)
	}
}
