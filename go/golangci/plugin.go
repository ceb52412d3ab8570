// Package golangci is goleak-fix's golangci-lint module plugin: built into a custom
// golangci-lint with the .custom-gcl.yml of this module, it adds the goleakfix linter.
//
//	linters:
//	  enable: [goleakfix]
//	  settings:
//	    custom:
//	      goleakfix:
//	        type: module
//	        description: goroutine leaks found and fixed by goleak-fix
//	        settings:
//	          binary: /usr/local/bin/goleak-fix   # default: $GOLEAK_FIX, then PATH
//	          select: [timeout-leak]              # default: every codemod
//	          ignore: []
//	          unsafe-fixes: false
//	          config: ""                          # a goleak-fix.toml (select, ignore)
//	          timeout: 2m
package golangci

import (
	"fmt"
	"time"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"goleak-fix.invalid/go/goleakfix"
)

// Settings are the plugin's settings in .golangci.yml (linters.settings.custom.goleakfix
// .settings). golangci-lint lowercases keys, so these are lowercase.
type Settings struct {
	Binary      string   `json:"binary"`
	Config      string   `json:"config"`
	Select      []string `json:"select"`
	Ignore      []string `json:"ignore"`
	UnsafeFixes bool     `json:"unsafe-fixes"`
	Timeout     string   `json:"timeout"`
}

func init() {
	register.Plugin(goleakfix.Name, New)
}

// New is the plugin's constructor, called by golangci-lint with the settings.
func New(settings any) (register.LinterPlugin, error) {
	decoded, err := register.DecodeSettings[Settings](settings)
	if err != nil {
		return nil, fmt.Errorf("goleakfix settings: %w", err)
	}
	options := goleakfix.Options{
		Binary:      decoded.Binary,
		Config:      decoded.Config,
		Select:      decoded.Select,
		Ignore:      decoded.Ignore,
		UnsafeFixes: decoded.UnsafeFixes,
	}
	if decoded.Timeout != "" {
		options.Timeout, err = time.ParseDuration(decoded.Timeout)
		if err != nil || options.Timeout <= 0 {
			return nil, fmt.Errorf("goleakfix settings: timeout %q is not a positive duration such as 90s or 2m", decoded.Timeout)
		}
	}
	return &plugin{options: options}, nil
}

type plugin struct {
	options goleakfix.Options
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{goleakfix.New(p.options)}, nil
}

// GetLoadMode is syntax: goleak-fix reads the files, not their types.
func (p *plugin) GetLoadMode() string {
	return register.LoadModeSyntax
}
