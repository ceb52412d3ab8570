package goleakfix

import (
	"bytes"
	"fmt"
	"regexp"

	"golang.org/x/tools/go/analysis"
)

// codemodID is the form of a codemod ID (docs/CONTRACT.md): lowercase words joined by `-`.
// The analyzer does not list the IDs, so that a newer goleak-fix with another codemod still
// works with it; a report naming something of another form is not goleak-fix's.
var codemodID = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// toDiagnostic turns one finding in file into a Diagnostic. Its position comes from the
// finding's line and column (1-based, columns in bytes) and its fix's edits from their byte
// offsets, all checked against the file's text and mapped through the driver's token.File.
// Unsafe fixes are offered only with unsafeFixes.
//
// A fix that also edits other files of the package (`other_files`, found through other) is
// checked and not offered (see below).
func toDiagnostic(found finding, file *packageFile, other func(path string) (*packageFile, bool), unsafeFixes bool) (analysis.Diagnostic, error) {
	if len(found.Codemod) > 64 || !codemodID.MatchString(found.Codemod) {
		return analysis.Diagnostic{}, fmt.Errorf("a finding whose codemod %q is not a codemod ID", forTerminal(found.Codemod))
	}
	lines := lineStarts(file.content)
	start, err := offsetOf(lines, len(file.content), found.Line, found.Column)
	if err != nil {
		return analysis.Diagnostic{}, fmt.Errorf("%s finding: %w", found.Codemod, err)
	}
	end, err := offsetOf(lines, len(file.content), found.EndLine, found.EndColumn)
	if err != nil || end < start {
		return analysis.Diagnostic{}, fmt.Errorf("%s finding at %d:%d: its end %d:%d is not in the file after its start",
			found.Codemod, found.Line, found.Column, found.EndLine, found.EndColumn)
	}
	diagnostic := analysis.Diagnostic{
		Pos:      file.file.Pos(start),
		End:      file.file.Pos(end),
		Category: found.Codemod,
		Message:  found.Codemod + ": " + forTerminal(found.Message),
	}
	if found.Fix == nil {
		return diagnostic, nil
	}
	switch found.Fix.Applicability {
	case "safe":
	case "unsafe":
		if !unsafeFixes {
			return diagnostic, nil
		}
	default:
		return analysis.Diagnostic{}, fmt.Errorf("%s finding at %d:%d: a fix of unknown applicability %q",
			found.Codemod, found.Line, found.Column, forTerminal(found.Fix.Applicability))
	}
	edits, err := textEdits(found.Fix.Edits, file)
	if err != nil {
		return analysis.Diagnostic{}, fmt.Errorf("%s finding at %d:%d: %w", found.Codemod, found.Line, found.Column, err)
	}
	// A fix that also edits other files of the package is checked, but not offered: drivers
	// apply a SuggestedFix's edits only in the diagnostic's file (golangci-lint's --fix does),
	// and half of such a fix does not build. goleak-fix applies it whole.
	for _, elsewhere := range found.Fix.OtherFiles {
		otherFile, ok := other(elsewhere.Path)
		if !ok || otherFile == file {
			return analysis.Diagnostic{}, fmt.Errorf("%s finding at %d:%d: a fix that also edits %s, which is not another file of the package",
				found.Codemod, found.Line, found.Column, forTerminal(elsewhere.Path))
		}
		if _, err := textEdits(elsewhere.Edits, otherFile); err != nil {
			return analysis.Diagnostic{}, fmt.Errorf("%s finding at %d:%d, in %s: %w", found.Codemod, found.Line, found.Column, forTerminal(otherFile.name), err)
		}
	}
	if len(found.Fix.OtherFiles) > 0 {
		return diagnostic, nil
	}
	message := forTerminal(found.Fix.Description)
	if found.Fix.Applicability == "unsafe" {
		message += " (unsafe)"
	}
	diagnostic.SuggestedFixes = []analysis.SuggestedFix{{Message: message, TextEdits: edits}}
	return diagnostic, nil
}

// textEdits maps a fix's byte ranges onto the file. The ranges must lie in the file, in
// order, and not overlap: a fix is applied whole or not at all.
func textEdits(edits []edit, file *packageFile) ([]analysis.TextEdit, error) {
	if len(edits) == 0 {
		return nil, fmt.Errorf("a fix with no edits")
	}
	textEdits := make([]analysis.TextEdit, 0, len(edits))
	previousEnd := 0
	for _, e := range edits {
		if e.Start < previousEnd || e.End < e.Start || e.End > len(file.content) {
			return nil, fmt.Errorf("a fix's edit of bytes %d..%d is outside the file (%d bytes) or overlaps the edit before it",
				e.Start, e.End, len(file.content))
		}
		previousEnd = e.End
		textEdits = append(textEdits, analysis.TextEdit{
			Pos:     file.file.Pos(e.Start),
			End:     file.file.Pos(e.End),
			NewText: []byte(e.Replacement),
		})
	}
	return textEdits, nil
}

// lineStarts is the byte offset where each line of content starts. Lines end at '\n', as
// for goleak-fix and go/token alike (a '\r' before it is part of the line). They are
// computed from the text rather than taken from the token.File, whose line table a parse
// that gave up early leaves short.
func lineStarts(content []byte) []int {
	starts := []int{0}
	for offset := 0; ; {
		next := bytes.IndexByte(content[offset:], '\n')
		if next < 0 {
			return starts
		}
		offset += next + 1
		starts = append(starts, offset)
	}
}

// offsetOf is the byte offset of line:column (1-based, column in bytes), which must be in
// the line or just past its end.
func offsetOf(lines []int, size, line, column int) (int, error) {
	if line < 1 || line > len(lines) {
		return 0, fmt.Errorf("line %d is not in the file (%d lines)", line, len(lines))
	}
	lineEnd := size
	if line < len(lines) {
		lineEnd = lines[line] - 1 // the '\n'
	}
	offset := lines[line-1] + column - 1
	if column < 1 || offset > lineEnd {
		return 0, fmt.Errorf("column %d is not in line %d", column, line)
	}
	return offset, nil
}
