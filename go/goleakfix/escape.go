package goleakfix

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// forTerminal returns text with each control character written as `\n`, `\t`, `\r` or
// `\u{..}`, as goleak-fix's own src/escape.rs does. Messages and fix descriptions quote the
// scanned source, and go vet and golangci-lint print them as they are: a hostile comment
// must not be able to move the cursor, recolour the screen, fake a line of output or reorder
// what is shown around it. goleak-fix escapes them already; the analyzer does it again
// because it treats the binary's output as data, not as trusted text.
func forTerminal(text string) string {
	if !strings.ContainsFunc(text, needsEscape) && utf8.ValidString(text) {
		return text
	}
	var escaped strings.Builder
	for _, c := range text {
		switch {
		case c == '\n':
			escaped.WriteString(`\n`)
		case c == '\t':
			escaped.WriteString(`\t`)
		case c == '\r':
			escaped.WriteString(`\r`)
		case needsEscape(c):
			fmt.Fprintf(&escaped, `\u{%x}`, c)
		default:
			// An invalid byte decodes as U+FFFD and is written as such.
			escaped.WriteRune(c)
		}
	}
	return escaped.String()
}

func needsEscape(c rune) bool {
	switch {
	case unicode.IsControl(c):
		return true
	// Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters).
	case c >= '\u202A' && c <= '\u202E', c >= '\u2066' && c <= '\u2069',
		c == '\u200E', c == '\u200F', c == '\u061C':
		return true
	// Line and paragraph separators: a line break to a terminal that honours them.
	case c == '\u2028', c == '\u2029':
		return true
	}
	return false
}
