#!/usr/bin/env bash
# Pathological shapes: is goleak-fix's cost linear in the size of generated and adversarial
# code? For each shape of bench/shapes.py, at sizes N, 2N and 4N, times `goleak-fix --check`
# and `--dry-run` on the one file beside `cat` of it (the reference, same run), and prints the
# seconds, seconds per MB, and how the time grew from N to 4N (4.0 is linear; 16 is square).
#
#   bench/shapes.sh [--smoke] [--size N] [--no-build] [--bin PATH] [--only WORD]
#
# --smoke: N = 500, for CI: fails only when goleak-fix crashes (an exit status other than 0, 1,
# 2) or runs out of the time limit (60 s a run). Timings are printed, never judged.
# --bin: times that binary instead of target/release/goleak-fix, unbuilt (say, main's beside a
# branch's); --only: only the shapes whose name contains WORD.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."

size=4000 build=1 limit=60 bin=$PWD/target/release/goleak-fix only=
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) size=500 ;;
    --size) size=$2; shift ;;
    --no-build) build=0 ;;
    --bin) bin=$(cd "$caller" && realpath "$2"); build=0; shift ;;
    --only) only=$2; shift ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done

[ "$build" = 1 ] && cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seconds TIMEOUT CMD...: wall seconds of one run; fails on a crash or a timeout.
seconds() {
  local start end status=0
  start=$(date +%s.%N)
  timeout "$limit" "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s.%N)
  if [ "$status" -gt 2 ]; then
    echo "shapes: '$*' exited $status (a crash, or over ${limit}s)" >&2
    return 1
  fi
  echo "$end - $start" | bc -l
}

sizes=("$size" $((size * 2)) $((size * 4)))
for n in "${sizes[@]}"; do python3 bench/shapes.py "$work/$n" "$n"; done

printf '%-32s %8s %8s %10s %10s %10s %12s\n' shape N MB cat-s check-s dry-run-s 'check/cat'
failed=0
for path in "$work/$size"/*"$only"*.go; do
  shape=$(basename "$path" .go)
  first="" last=""
  for n in "${sizes[@]}"; do
    file=$work/$n/$shape.go
    mb=$(echo "$(stat -c %s "$file") / 1048576" | bc -l)
    cat_s=$(seconds cat "$file") || { failed=1; continue; }
    check_s=$(seconds "$bin" --check -q "$file") || { failed=1; continue; }
    cp "$file" "$file.orig"
    dry_s=$(seconds "$bin" --dry-run -q "$file") || { failed=1; continue; }
    printf '%-32s %8d %8.2f %10.3f %10.3f %10.3f %12.1f\n' "$shape" "$n" "$mb" "$cat_s" "$check_s" "$dry_s" \
      "$(echo "$check_s / ($cat_s + 0.001)" | bc -l)"
    [ -z "$first" ] && first=$check_s
    last=$check_s
  done
  [ -n "$first" ] && printf '%-32s growth of --check from N to 4N: %.1fx (4.0 is linear)\n' "$shape" \
    "$(echo "$last / ($first + 0.001)" | bc -l)"
done
exit "$failed"
