#!/usr/bin/env bash
# Fetches, with the Go toolchain's own module downloads, every module the tests of this
# directory need, so that they then run offline (GOPROXY=off): this module's dependencies,
# and the source and dependencies of the golangci-lint version that .custom-gcl.yml names,
# which golangci/custom_test.go builds with the plugin, as `golangci-lint custom` does.
# Run by .ci/run and by tests/go_analyzer.rs; quick when everything is already downloaded.
set -euo pipefail
cd "$(dirname "$0")"
export GOFLAGS=-mod=readonly GOTOOLCHAIN=local
go mod download
version=$(sed -n 's/^version: *//p' .custom-gcl.yml)
[ -n "$version" ] || { echo "download.sh: no version in .custom-gcl.yml" >&2; exit 1; }
source_dir=$(go mod download -json "github.com/golangci/golangci-lint/v2@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$source_dir" ] || { echo "download.sh: golangci-lint $version was not downloaded" >&2; exit 1; }
(cd "$source_dir" && go mod download)
