#!/usr/bin/env bash
# Benchmark of `goleak-fix --check` (issue 5).
#
#   bench/run.sh [--smoke] [--threads N] [--runs K] [--files N] [--lines L] [--seed S]
#                [--no-build] [--no-linearity] [--install-ast-grep] [DIR...]
#
# Times, in one run and on the same file list, with K runs each (median):
#   cat        of every file goleak-fix scans (the floor: reading the bytes)
#   gofmt -l   on the same files (GOMAXPROCS=N)
#   ast-grep   a rule with the patterns of goleak-fix's prefilter, `make(chan $T)` and
#              `make(chan $T, $N)`, --threads N (skipped, and said so, when not installed)
#   goleak-fix --check --jobs N
# over (a) a synthetic monorepo that bench/gen_monorepo.py generates deterministically (cached
# in target/bench/, regenerated only when missing or its parameters changed) and (b) each DIR
# given, e.g. a checkout of moby. Prints medians, ratios, peak RSS (/usr/bin/time), files,
# lines and bytes; checks that goleak-fix finds exactly the leaks planted in the synthetic
# repo; and times goleak-fix on 1/4, 1/2 and all of the synthetic repo (seconds per MB).
#
# --smoke: 200 files, 1 run each; well under a minute. Exits non-zero when goleak-fix crashes
# or finds a different set of leaks than was planted. Not a timed test: no target is enforced.
#
# ast-grep is looked for as $AST_GREP, `ast-grep` or `sg` on PATH (only if it is ast-grep:
# `sg` is also a shadow-utils command), then target/bench/tools/ (where --install-ast-grep
# puts it with npm, locally, as @ast-grep/cli).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$PATH:$HOME/.cargo/bin:/usr/local/go/bin:/usr/local/cargo/bin"

smoke=0 threads=2 runs="" files="" lines="" seed=1 build=1 linearity=1 install_ast_grep=0
dirs=()
usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --threads|-j) threads=$2; shift ;;
    --runs) runs=$2; shift ;;
    --files) files=$2; shift ;;
    --lines) lines=$2; shift ;;
    --seed) seed=$2; shift ;;
    --no-build) build=0 ;;
    --no-linearity) linearity=0 ;;
    --install-ast-grep) install_ast_grep=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) dirs+=("$(cd "$1" && pwd)") ;;
  esac
  shift
done
if [ "$smoke" = 1 ]; then
  : "${runs:=1}" "${files:=200}" "${lines:=50000}"
else
  : "${runs:=5}" "${files:=20000}" "${lines:=5200000}"
fi

target_dir=${CARGO_TARGET_DIR:-$root/target}
bench_dir=$target_dir/bench
mkdir -p "$bench_dir"
work=$(mktemp -d "${TMPDIR:-/tmp}/goleak-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

# ---------------------------------------------------------------------------------------------
# Tools

if [ "$build" = 1 ]; then
  echo "bench: cargo build --release" >&2
  cargo build --release --quiet
fi
bin=$target_dir/release/goleak-fix
[ -x "$bin" ] || { echo "bench: $bin not found (build it, or drop --no-build)" >&2; exit 2; }

if [ "$install_ast_grep" = 1 ]; then
  echo "bench: installing @ast-grep/cli into $bench_dir/tools (npm, local)" >&2
  npm install --silent --no-audit --no-fund --prefix "$bench_dir/tools" @ast-grep/cli >&2
fi
is_ast_grep() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q '^ast-grep'; }
ast_grep=""
for candidate in "${AST_GREP:-}" "$(command -v ast-grep || true)" "$(command -v sg || true)" \
  "$bench_dir/tools/node_modules/@ast-grep/cli/ast-grep" "$bench_dir/tools/node_modules/.bin/ast-grep"; do
  if is_ast_grep "$candidate"; then ast_grep=$candidate; break; fi
done
gofmt_bin=$(command -v gofmt || true)
if [ -z "$gofmt_bin" ] && command -v go >/dev/null; then
  gofmt_bin=$(go env GOROOT)/bin/gofmt
  [ -x "$gofmt_bin" ] || gofmt_bin=""
fi
time_bin=""
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then time_bin=/usr/bin/time; fi

# The rule ast-grep runs: the prefilter's patterns (every codemod starts from such a make).
ast_grep_rule='id: make-chan
language: go
rule:
  any:
    - pattern: make(chan $T)
    - pattern: make(chan $T, $N)'
# The largest argument list xargs may pass, so each tool runs as few times as possible.
arg_max=$(( $(getconf ARG_MAX) - 262144 ))
[ "$arg_max" -gt 131072 ] || arg_max=131072

# ---------------------------------------------------------------------------------------------
# Measuring

# run_once NAME COMMAND: runs COMMAND (bash, in the current directory) once and appends
# "NAME wall_s cpu_s peak_rss_kb status" to $work/samples. Statuses 0 and 1 are normal (xargs
# reports a tool's 1 as 123); any other is shown.
run_once() {
  local name=$1 cmd=$2 start end status=0 rss=0 cpu=0
  start=$(date +%s%N)
  if [ -n "$time_bin" ]; then
    "$time_bin" -f '%M %U %S' -o "$work/time" bash -c "$cmd" >/dev/null 2>"$work/stderr" || status=$?
    read -r rss cpu < <(awk 'NF == 3 && $1 ~ /^[0-9]+$/ { printf "%d %.2f\n", $1, $2 + $3 }' "$work/time" | tail -1)
  else
    bash -c "$cmd" >/dev/null 2>"$work/stderr" || status=$?
  fi
  end=$(date +%s%N)
  case $status in 0|1|123) status=0 ;; *) sed 's/^/    /' "$work/stderr" | tail -5 >&2 ;; esac
  awk -v n="$name" -v a="$start" -v b="$end" -v c="${cpu:-0}" -v r="${rss:-0}" -v s="$status" \
    'BEGIN { printf "%s %.4f %s %s %s\n", n, (b - a) / 1e9, c, r, s }' | tee -a "$work/samples" |
    awk '{ printf "  %-12s %8.3f s wall %8.2f s cpu %8.1f MB\n", $1, $2, $3, $4 / 1024 }' >&2
}

# measure NAME=COMMAND...: $runs rounds, each running every command once in turn (so a
# disturbance on this machine hits every tool alike); then one line per tool in
# $work/results: "NAME median_wall median_cpu peak_rss_kb worst_status".
measure() {
  local i pair
  : >"$work/samples"
  for ((i = 0; i < runs; i++)); do
    for pair in "$@"; do
      run_once "${pair%%=*}" "${pair#*=}"
    done
  done
  for pair in "$@"; do
    awk -v n="${pair%%=*}" '$1 == n { w[++k] = $2; c[k] = $3; if ($4 > r) r = $4; if ($5 != 0) s = $5 }
      function median(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
      END { printf "%s %.4f %.2f %d %d\n", n, median(w, k), median(c, k), r, s + 0 }' "$work/samples"
  done >"$work/results"
}

# list_files DIR OUT: the .go files goleak-fix scans in DIR, NUL-separated, relative to DIR:
# not under vendor/, testdata/ or a directory starting with . or _, not hidden, not a symlink,
# not ignored by git (when DIR is in a git work tree).
list_files() {
  local dir=$1 out=$2
  (cd "$dir" && find . \( -type d \( -name vendor -o -name testdata -o -name '.?*' -o -name '_*' \) -prune \) \
      -o -type f -name '*.go' ! -name '.*' -print0 | sed -z 's|^\./||' | LC_ALL=C sort -z) >"$out.all"
  # Like the ignore crate goleak-fix walks with, a .gitignore rule that ignores DIR itself (as
  # `/target` does for target/bench/...) does not apply to what is below it.
  if git -C "$dir" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
    ! git -C "$dir" check-ignore --no-index -q . 2>/dev/null; then
    (cd "$dir" && git check-ignore --no-index -z --stdin <"$out.all" || true) >"$out.ignored"
    if [ -s "$out.ignored" ]; then
      LC_ALL=C comm -z -23 "$out.all" <(LC_ALL=C sort -z "$out.ignored") >"$out"
    else
      mv "$out.all" "$out"
    fi
  else
    mv "$out.all" "$out"
  fi
  rm -f "$out.all" "$out.ignored"
}

# bench_repo LABEL DIR: the four tools on DIR; prints the table.
bench_repo() {
  local label=$1 dir=$2 list=$work/files
  : >"$work/results"
  list_files "$dir" "$list"
  local nfiles nbytes nlines ngenerated
  nfiles=$(tr -cd '\0' <"$list" | wc -c)
  if [ "$nfiles" = 0 ]; then echo "bench: no .go files in $dir" >&2; failed=1; return; fi
  # Also warms the page cache, so every tool reads from memory.
  nbytes=$(cd "$dir" && xargs -0 -s "$arg_max" cat <"$list" | wc -c)
  nlines=$(cd "$dir" && xargs -0 -s "$arg_max" cat <"$list" | wc -l)
  ngenerated=$(cd "$dir" && xargs -0 -s "$arg_max" awk '
      FNR == 1 { done = 0 }
      done { next }
      /^package / { done = 1; next }
      /^\/\/ Code generated .* DO NOT EDIT\.\r?$/ { n++; done = 1 }
      END { print n + 0 }' <"$list" | awk '{ s += $1 } END { print s + 0 }')
  echo >&2
  echo "bench: $label: $dir: $nfiles files ($ngenerated generated), $nlines lines, $nbytes bytes" >&2

  cd "$dir"
  local tools=("cat=xargs -0 -s $arg_max cat <'$list'")
  if [ -n "$gofmt_bin" ]; then
    tools+=("gofmt=GOMAXPROCS=$threads xargs -0 -s $arg_max '$gofmt_bin' -l <'$list'")
  fi
  local ag_files=""
  if [ -n "$ast_grep" ]; then
    local ag="'$ast_grep' scan --inline-rules \"\$AST_GREP_RULE\" --threads $threads --json=stream \
--globs '!**/vendor/**' --globs '!**/testdata/**' --globs '!**/_*/**' ."
    export AST_GREP_RULE=$ast_grep_rule
    ag_files=$(bash -c "$ag --inspect summary" 2>&1 >/dev/null | sed -n 's/.*scannedFileCount=\([0-9]*\).*/\1/p')
    tools+=("ast-grep=$ag")
  fi
  tools+=("goleak-fix='$bin' --check -q --jobs $threads .")
  measure "${tools[@]}"
  local scanned findings status=0
  "$bin" --check -q --format json --jobs "$threads" . >"$work/report.json" 2>"$work/report.err" || status=$?
  read -r scanned findings < <(python3 -c 'import json, sys
try:
    s = json.load(open(sys.argv[1]))["summary"]
    print(s["files_scanned"], s["findings"])
except Exception:
    print("?", "?")' "$work/report.json")
  cd "$root"
  if [ "$status" -ge 2 ]; then
    echo "bench: goleak-fix exited $status on $dir:" >&2
    head -5 "$work/report.err" >&2
    [ "$label" = synthetic ] && failed=1
  fi

  local mb
  mb=$(awk -v b="$nbytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  echo
  echo "== $label: $dir"
  echo "   $nfiles files ($ngenerated generated), $nlines lines, $mb MB; --threads $threads, median of $runs run(s)"
  echo "   goleak-fix scanned $scanned files (generated ones are read, then skipped), $findings finding(s), exit $status${ag_files:+; ast-grep scanned $ag_files files}"
  awk -v mb="$mb" -v agmissing="$([ -n "$ast_grep" ] || echo 1)" -v gofmtmissing="$([ -n "$gofmt_bin" ] || echo 1)" '
    { name[NR] = ($1 == "gofmt") ? "gofmt -l" : $1; t[NR] = $2; c[NR] = $3; rss[NR] = $4; st[NR] = $5
      if ($1 == "goleak-fix") g = t[NR] }
    END {
      printf "   %-12s %10s %14s %10s %10s %11s\n", "tool", "median s", "vs goleak-fix", "cpu s", "MB/s", "peak RSS"
      for (i = 1; i <= NR; i++)
        printf "   %-12s %10.3f %13.2fx %10.2f %10.0f %8.1f MB%s\n", name[i], t[i], (g > 0 ? t[i] / g : 0),
          c[i], (t[i] > 0 ? mb / t[i] : 0), rss[i] / 1024, (st[i] != 0 ? "  (exit " st[i] ")" : "")
      if (agmissing) print "   ast-grep     not installed: skipped (bench/run.sh --install-ast-grep, or set AST_GREP)"
      if (gofmtmissing) print "   gofmt        not found: skipped"
    }' "$work/results"
  # The issue's targets, on this run's own numbers.
  awk '{ v[$1] = $2; m[$1] = $4 }
    END {
      g = v["goleak-fix"]; if (g <= 0) exit
      printf "   targets: "
      if ("ast-grep" in v) printf "ast-grep/goleak-fix %.1fx (>= 7: %s); ", v["ast-grep"] / g, (v["ast-grep"] / g >= 7 ? "met" : "MISSED")
      if ("gofmt" in v) printf "gofmt/goleak-fix %.1fx (>= 6: %s); ", v["gofmt"] / g, (v["gofmt"] / g >= 6 ? "met" : "MISSED")
      printf "goleak-fix/cat %.1fx (<= 4: %s); ", g / v["cat"], (g / v["cat"] <= 4 ? "met" : "MISSED")
      printf "peak RSS %.1f MB (< 100: %s)\n", m["goleak-fix"] / 1024, (m["goleak-fix"] / 1024 < 100 ? "met" : "MISSED")
    }' "$work/results"
}

# linearity DIR: goleak-fix on about 1/4, 1/2 and all of the synthetic repo's bytes (whole
# top-level units, hard-linked into their own trees so each run is one directory argument).
linearity() {
  local dir=$1 out=$bench_dir/linearity
  rm -rf "$out"
  mkdir -p "$out"
  python3 - "$dir/bench-manifest.json" "$out" <<'EOF'
import json, sys
manifest = json.load(open(sys.argv[1]))
units = manifest["units"]
total = sum(u["bytes"] for u in units)
for name, frac in (("quarter", 0.25), ("half", 0.5)):
    chosen, acc = [], 0
    # Every other unit first, so a subset mixes services and libraries like the whole.
    for u in units[::2] + units[1::2]:
        if acc >= frac * total:
            break
        chosen.append(u["dir"])
        acc += u["bytes"]
    with open(f"{sys.argv[2]}/{name}.units", "w") as f:
        f.write("\n".join(chosen) + "\n")
EOF
  # Every part is built first and the runs interleave them, round by round, as `measure` does
  # for the tools: measured one after the other, a drift in the machine's load would read as
  # a departure from linearity.
  local part sub commands=() n b
  : >"$work/sizes"
  for part in quarter half full; do
    if [ "$part" = full ]; then
      sub=$dir
    else
      sub=$out/$part
      mkdir -p "$sub"
      while read -r unit; do
        mkdir -p "$sub/$(dirname "$unit")"
        cp -al "$dir/$unit" "$sub/$unit"
      done <"$out/$part.units"
    fi
    list_files "$sub" "$work/part"
    n=$(tr -cd '\0' <"$work/part" | wc -c)
    b=$(cd "$sub" && xargs -0 -s "$arg_max" cat <"$work/part" | wc -c)
    echo "$part $n $b" >>"$work/sizes"
    commands+=("$part=cd '$sub' && '$bin' --check -q --jobs $threads .")
  done
  measure "${commands[@]}" 2>/dev/null
  echo
  echo "== linearity: goleak-fix --check --jobs $threads on parts of the synthetic repo, median of $runs interleaved run(s)"
  printf '   %-8s %8s %8s %10s %10s %10s %10s\n' part files MB "median s" "cpu s" "s per MB" "peak RSS"
  awk 'NR == FNR { n[$1] = $2; b[$1] = $3; next }
    { printf "   %-8s %8d %8.1f %10.3f %10.2f %10.4f %7.1f MB\n",
      $1, n[$1], b[$1] / 1e6, $2, $3, $2 / (b[$1] / 1e6), $4 / 1024
      spm = $2 / (b[$1] / 1e6); if (!seen++ || spm < lo) lo = spm; if (spm > hi) hi = spm }
    END { printf "   seconds per MB vary by %.0f%% from the smallest to the largest part\n", (hi / lo - 1) * 100 }' \
    "$work/sizes" "$work/results"
  rm -rf "$out"
}

# ---------------------------------------------------------------------------------------------

echo "bench: goleak-fix $("$bin" --version | awk '{ print $2 }') ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'))," \
  "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
if [ -n "$ast_grep" ]; then ast_grep_shown="$("$ast_grep" --version) at $ast_grep"; else ast_grep_shown="not installed"; fi
echo "bench: gofmt: ${gofmt_bin:-not found}; ast-grep: $ast_grep_shown" >&2
[ -n "$time_bin" ] || echo "bench: /usr/bin/time (GNU time) not found: no peak RSS" >&2

mono=$bench_dir/monorepo-f$files-l$lines-s$seed
python3 bench/gen_monorepo.py "$mono" --files "$files" --lines "$lines" --seed "$seed"
echo >&2
echo "bench: planted leaks vs what goleak-fix finds in the synthetic repo" >&2
if ! python3 bench/gen_monorepo.py "$mono" --verify "$bin" --jobs "$threads" | tee "$work/verify" | sed 's/^/  /' >&2; then
  failed=1
fi

bench_repo synthetic "$mono"
if [ "$linearity" = 1 ]; then linearity "$mono"; fi
for dir in "${dirs[@]}"; do
  bench_repo "$(basename "$dir")" "$dir"
done

echo
if [ "$failed" = 0 ]; then
  echo "bench: done"
else
  echo "bench: FAILED (see above)"
  exit 1
fi
