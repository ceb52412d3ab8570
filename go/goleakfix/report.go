package goleakfix

import (
	"encoding/json"
	"fmt"
)

// The part of goleak-fix's JSON report (`--format json`, docs/report.schema.json) that the
// analyzer reads. Keys it does not know are ignored: version 4 may gain keys, never lose or
// change one.
type report struct {
	Version  int       `json:"version"`
	Findings []finding `json:"findings"`
}

type finding struct {
	Codemod   string `json:"codemod"`
	Path      string `json:"path"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Message   string `json:"message"`
	Fix       *fix   `json:"fix"`
}

type fix struct {
	Applicability string      `json:"applicability"`
	Description   string      `json:"description"`
	Edits         []edit      `json:"edits"`
	OtherFiles    []fileEdits `json:"other_files"`
}

// fileEdits are a fix's edits in another file of the package than the finding's (version 4):
// the fix is whole only with them.
type fileEdits struct {
	Path  string `json:"path"`
	Edits []edit `json:"edits"`
}

// edit replaces the bytes [Start, End) of the file as goleak-fix read it.
type edit struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	Replacement string `json:"replacement"`
}

// The JSON report versions this analyzer understands: every one whose findings, fixes and
// edits (the keys above) mean what they meant in version 1. Version 2 added the evidence keys
// (docs/CONTRACT.md), which the analyzer does not read; version 3 listed every finding with its
// outcome and function and made `commit` a list, and with `--check` (all the analyzer runs)
// lists the same findings as before; version 4 added a fix's edits in other files of the
// package (`other_files`): the analyzer reports such a finding without a SuggestedFix.
const (
	minReportVersion = 1
	maxReportVersion = 4
)

func parseReport(stdout []byte) (*report, error) {
	var r report
	if err := json.Unmarshal(stdout, &r); err != nil {
		return nil, fmt.Errorf("goleak-fix printed no JSON report: %v", err)
	}
	if r.Version < minReportVersion || r.Version > maxReportVersion {
		return nil, fmt.Errorf("goleak-fix printed a version %d JSON report; this analyzer reads versions %d to %d (rebuild both from the same checkout)", r.Version, minReportVersion, maxReportVersion)
	}
	return &r, nil
}
