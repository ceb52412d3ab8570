package goleakfix

import "testing"

// The same cases as src/escape.rs's tests: the analyzer escapes as goleak-fix does.
func TestControlAndBidiCharactersAreEscapedAndLettersAreNot(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"pkg/café.go", "pkg/café.go"},
		{"a\x1b[31mred\n\u202Eog.txt", `a\u{1b}[31mred\n\u{202e}og.txt`},
		{"\u0085\u007f", `\u{85}\u{7f}`},
		{"tab\there\r", `tab\there\r`},
		{"line\u2028sep", `line\u{2028}sep`},
		{"bad \xff byte", "bad \ufffd byte"},
	} {
		if got := forTerminal(c.in); got != c.want {
			t.Errorf("forTerminal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
