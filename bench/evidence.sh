#!/usr/bin/env bash
# --evidence on a big dump: a Go program leaks N goroutines (100,000 by default) at four
# places goleak-fix finds, writes its goroutine dump (debug=2) and its goroutine profile
# (gzipped protobuf), and goleak-fix reads each back against the program's source. Times, in
# the same run, medians of --runs: `wc -l` and `cat` of the dump (the reference: the cost of
# reading the bytes), goleak-fix without evidence (the cost of the scan alone), and
# goleak-fix with the dump, then with the profile. Fails only when goleak-fix crashes or does
# not confirm the four findings with all N goroutines; timings are printed, never judged.
#
#   bench/evidence.sh [--smoke] [--goroutines N] [--runs R] [--no-build]
#
# --smoke: N = 2,000 and one run, for CI.
set -euo pipefail
cd "$(dirname "$0")/.."

goroutines=100000 runs=5 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) goroutines=2000 runs=1 ;;
    --goroutines) goroutines=$2; shift ;;
    --runs) runs=$2; shift ;;
    --no-build) build=0 ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done

[ "$build" = 1 ] && cargo build --release --quiet
bin=$PWD/target/release/goleak-fix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/leaky"
cat > "$work/leaky/go.mod" <<'GO'
module example.com/leaky

go 1.26
GO
cat > "$work/leaky/main.go" <<'GO'
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

func leakSend() {
	c := make(chan int)
	go func() {
		c <- 1
	}()
}

func leakValue() string {
	c := make(chan string)
	go func() {
		c <- "v"
	}()
	return "early"
}

func leakError() error {
	errs := make(chan error)
	go func() {
		errs <- nil
	}()
	return nil
}

func leakStruct() {
	done := make(chan struct{})
	go func() {
		done <- struct{}{}
	}()
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			leakSend()
		case 1:
			leakValue()
		case 2:
			leakError()
		case 3:
			leakStruct()
		}
	}
	for runtime.NumGoroutine() < n+1 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	for i, debug := range []int{2, 0} {
		f, err := os.Create(os.Args[2+i])
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
			panic(err)
		}
		f.Close()
	}
}
GO
cache=${GOCACHE:-$PWD/target/go-build-cache}
(cd "$work/leaky" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOCACHE="$cache" \
  go run . "$goroutines" "$work/dump.txt" "$work/profile.pb.gz")

# seconds CMD...: wall seconds of one run; fails on a crash (exit status over 2).
seconds() {
  local start end status=0
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s.%N)
  if [ "$status" -gt 2 ]; then
    echo "evidence bench: '$*' exited $status" >&2
    return 1
  fi
  echo "$end - $start" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The findings must be confirmed, with every goroutine.
for file in dump.txt profile.pb.gz; do
  "$bin" --check -q --format json --evidence "$work/$file" "$work/leaky" > "$work/report.json" || [ $? = 1 ]
  python3 - "$work/report.json" "$goroutines" "$file" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
marks = [f["evidence"] for f in report["findings"] if "evidence" in f]
total = sum(m["goroutines"] for m in marks)
if len(marks) != 4 or total != int(sys.argv[2]):
    sys.exit(f"evidence bench: {sys.argv[3]}: {len(marks)} findings confirmed with {total} goroutines; expected 4 with {sys.argv[2]}")
PY
done

mb=$(echo "$(stat -c %s "$work/dump.txt") / 1048576" | bc -l)
lines=$(wc -l < "$work/dump.txt")
pb_kb=$(echo "$(stat -c %s "$work/profile.pb.gz") / 1024" | bc -l)
printf 'dump: %d goroutines, %d lines, %.1f MB; profile: %.1f KB gzipped; %d run(s), medians\n' \
  "$goroutines" "$lines" "$mb" "$pb_kb" "$runs"
declare -A results
for name in wc cat scan dump profile; do : > "$work/$name.times"; done
for _ in $(seq "$runs"); do
  seconds wc -l "$work/dump.txt" >> "$work/wc.times"
  seconds cat "$work/dump.txt" >> "$work/cat.times"
  seconds "$bin" --check -q "$work/leaky" >> "$work/scan.times"
  seconds "$bin" --check -q --evidence "$work/dump.txt" "$work/leaky" >> "$work/dump.times"
  seconds "$bin" --check -q --evidence "$work/profile.pb.gz" "$work/leaky" >> "$work/profile.times"
done
for name in wc cat scan dump profile; do results[$name]=$(median < "$work/$name.times"); done
printf '%-44s %9s %12s\n' command seconds 'vs wc -l'
row() { printf '%-44s %9.3f %12.1f\n' "$1" "$2" "$(echo "$2 / (${results[wc]} + 0.0001)" | bc -l)"; }
row "wc -l dump.txt" "${results[wc]}"
row "cat dump.txt" "${results[cat]}"
row "goleak-fix --check (no evidence)" "${results[scan]}"
row "goleak-fix --check --evidence dump.txt" "${results[dump]}"
row "goleak-fix --check --evidence profile.pb.gz" "${results[profile]}"
printf 'reading the dump: %.3f s (with evidence minus without), %.1f MB/s\n' \
  "$(echo "${results[dump]} - ${results[scan]}" | bc -l)" \
  "$(echo "$mb / (${results[dump]} - ${results[scan]} + 0.0001)" | bc -l)"
