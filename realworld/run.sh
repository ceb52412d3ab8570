#!/usr/bin/env bash
# Re-runs goleak-fix on pinned snapshots of public Go repositories and prints what was gained
# and lost against the recorded findings (realworld/findings.tsv) and fixes (realworld/dryrun.tsv).
#
#   realworld/run.sh [--bin PATH] [--trees DIR] [--update] [NAME...]
#
# Exit status: 0 nothing changed, 1 something was gained, lost or changed, 2 error.
# See realworld/README.md.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname -- "$here")
repos_tsv=$here/repos.tsv
findings_tsv=$here/findings.tsv
dryrun_tsv=$here/dryrun.tsv

bin=""
trees=${GOLEAK_REALWORLD_TREES:-/work/realworld-trees}
mirrors=${GOLEAK_MIRRORS:-/work/.mirror}
update=0
names=()

usage() {
  sed -n 's/^#   //p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --bin) [[ $# -ge 2 ]] || usage; bin=$2; shift 2 ;;
    --bin=*) bin=${1#--bin=}; shift ;;
    --trees) [[ $# -ge 2 ]] || usage; trees=$2; shift 2 ;;
    --trees=*) trees=${1#--trees=}; shift ;;
    --update) update=1; shift ;;
    -h | --help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) names+=("$1"); shift ;;
  esac
done

for tool in git tar jq sha256sum awk; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 2; }
done

if [[ -z $bin ]]; then
  bin=$root/target/release/goleak-fix
  if [[ ! -x $bin ]]; then
    echo "run.sh: building $bin" >&2
    (cd "$root" && cargo build --release) >&2
  fi
fi
[[ -x $bin ]] || { echo "run.sh: no executable at $bin" >&2; exit 2; }
bin=$(cd -- "$(dirname -- "$bin")" && pwd)/$(basename -- "$bin")

# Every NAME given must be in repos.tsv.
for name in "${names[@]}"; do
  awk -F'\t' -v n="$name" '$1 == n { found = 1 } END { exit !found }' "$repos_tsv" ||
    { echo "run.sh: $name is not in $repos_tsv" >&2; exit 2; }
done

wanted() {
  local n
  ((${#names[@]})) || return 0
  for n in "${names[@]}"; do [[ $n == "$1" ]] && return 0; done
  return 1
}

# The bare snapshot holding COMMIT for OWNER/REPO, or nothing.
find_mirror() {
  local slug=$1 commit=$2 dir
  for dir in "$mirrors/${slug/\//+}/repo" "$mirrors/${slug/\//+}" "$mirrors/${slug/\//+}"/*/; do
    dir=${dir%/}
    [[ -d $dir ]] || continue
    if git --git-dir="$dir" cat-file -e "$commit^{commit}" 2>/dev/null; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

# Makes $trees/NAME a tree of exactly COMMIT (recorded in $trees/NAME.commit); 1 when no snapshot.
ensure_tree() {
  local name=$1 slug=$2 commit=$3 tree=$trees/$1 mirror
  if [[ -d $tree && -f $tree.commit && $(<"$tree.commit") == "$commit" ]]; then
    return 0
  fi
  mirror=$(find_mirror "$slug" "$commit") || return 1
  echo "  extracting $slug@${commit:0:12} from $mirror" >&2
  mkdir -p "$trees"
  rm -rf "$tree" "$tree.part" "$tree.commit"
  mkdir "$tree.part"
  # Snapshots lack large blobs (4 MiB and more): leave those files out, and name them.
  local missing=() path
  while IFS= read -r path; do
    missing+=(":(exclude,literal)$path")
    echo "  $name: not in the snapshot, left out: $path" >&2
  done < <(git --git-dir="$mirror" ls-tree -r "$commit" |
    awk '$2 == "blob" { print $3 }' |
    git --git-dir="$mirror" cat-file --batch-check |
    awk '$2 == "missing" { print $1 }' |
    awk 'FNR == NR { gone[$1] = 1; next } { split($0, f, "\t"); split(f[1], m, " ") }
         m[3] in gone { print f[2] }' - <(git --git-dir="$mirror" ls-tree -r "$commit"))
  git --git-dir="$mirror" archive --format=tar "$commit" -- . "${missing[@]}" 2>/dev/null |
    tar -x -C "$tree.part"
  mv "$tree.part" "$tree"
  printf '%s\n' "$commit" >"$tree.commit"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A missing list is an empty one (the first --update writes it).
[[ -f $findings_tsv ]] || printf 'repo\tpath\tline:column\tcodemod\tfix\tverdict\tnote\n' >"$work/findings.empty"
[[ -f $findings_tsv ]] || findings_tsv_in=$work/findings.empty
[[ -f $dryrun_tsv ]] || printf 'name\tsha256\tfiles\tadded\tremoved\n' >"$work/dryrun.empty"
[[ -f $dryrun_tsv ]] || dryrun_tsv_in=$work/dryrun.empty
findings_tsv_in=${findings_tsv_in:-$findings_tsv}
dryrun_tsv_in=${dryrun_tsv_in:-$dryrun_tsv}
: >"$work/new.tsv"     # repo path line codemod fix, for every repo run
: >"$work/dryrun.tsv"  # name sha256 files added removed
: >"$work/ran"         # names run

# Prints `files added removed` for a unified diff on stdin.
diffstat() {
  awk '/^\+\+\+ / { f++; next } /^--- / { next } /^\+/ { a++ } /^-/ { r++ }
       END { printf "%d\t%d\t%d\n", f, a, r }'
}

total_gained=0 total_lost=0 total_changed=0 total_fixes_changed=0 total_findings=0
ran=0 skipped=()
errors=0

while IFS=$'\t' read -r name slug commit; do
  [[ -z $name || $name == \#* ]] && continue
  wanted "$name" || continue
  if ! ensure_tree "$name" "$slug" "$commit"; then
    echo "$name: SKIPPED (no snapshot of $slug@${commit:0:12} under $mirrors)"
    skipped+=("$name")
    continue
  fi
  status=0
  (cd "$trees/$name" && "$bin" --check --format json .) >"$work/$name.json" 2>"$work/$name.err" ||
    status=$?
  if ((status > 1)) || ! jq -e '.findings' "$work/$name.json" >/dev/null 2>&1; then
    echo "$name: ERROR (goleak-fix --check exited $status)"
    sed 's/^/    /' "$work/$name.err" | head -n 20
    errors=$((errors + 1))
    continue
  fi
  jq -r --arg repo "$name" '.findings[] |
      [$repo, .path, "\(.line):\(.column)", .codemod, (.fix.applicability // "none"), .message] | @tsv' \
    "$work/$name.json" | LC_ALL=C sort -t$'\t' -k2,2 -k3,3n -k4,4 >"$work/$name.new"
  cut -f1-5 "$work/$name.new" >>"$work/new.tsv"
  status=0
  (cd "$trees/$name" && "$bin" --dry-run .) >"$work/$name.diff" 2>/dev/null || status=$?
  if ((status > 1)); then
    echo "$name: ERROR (goleak-fix --dry-run exited $status)"
    errors=$((errors + 1))
    continue
  fi
  printf '%s\t%s\t%s\n' "$name" "$(sha256sum <"$work/$name.diff" | cut -d' ' -f1)" \
    "$(diffstat <"$work/$name.diff")" >>"$work/dryrun.tsv"
  printf '%s\n' "$name" >>"$work/ran"
  ran=$((ran + 1))

  # Compare with the recorded findings: key is (path, line:column, codemod); the fix is compared
  # too. The column tells apart two channels made on one line (`a, b := make(..), make(..)`).
  awk -F'\t' -v OFS='\t' -v repo="$name" '
    FNR == NR { if (FNR > 1 && $1 == repo) { old[$2 FS $3 FS $4] = $5; verdict[$2 FS $3 FS $4] = $6 }; next }
    { key = $2 FS $3 FS $4; n++; kind[$5]++
      if (!(key in old)) { gained[++g] = $2 ":" $3 ": " $4 " (fix " $5 "): " $6 }
      else { if (old[key] != $5) changed[++c] = $2 ":" $3 ": " $4 " (fix " old[key] " -> " $5 ", was " verdict[key] ")"
             seen[key] = 1 } }
    END {
      for (key in old) if (!(key in seen)) { split(key, k, FS); lost[++l] = k[1] ":" k[2] ": " k[3] " (fix " old[key] ", was " verdict[key] ")"; recorded++ }
      for (key in seen) recorded++
      printf "%s: %d findings (%d safe fix, %d unsafe fix, %d no fix); recorded %d; %d gained, %d lost, %d fix changed\n",
        repo, n, kind["safe"], kind["unsafe"], kind["none"], recorded, g, l + 0, c + 0
      for (i = 1; i <= g; i++) print "  GAINED " gained[i]
      for (i = 1; i <= l; i++) print "  LOST   " lost[i] | "sort"
      close("sort")
      for (i = 1; i <= c; i++) print "  CHANGED " changed[i]
      printf "%d %d %d %d\n", n, g, l + 0, c + 0 > "/dev/stderr"
    }' "$findings_tsv_in" "$work/$name.new" 2>"$work/$name.counts"
  read -r n g l c <"$work/$name.counts"
  total_findings=$((total_findings + n))
  total_gained=$((total_gained + g))
  total_lost=$((total_lost + l))
  total_changed=$((total_changed + c))

  read -r _ sha files added removed < <(tail -n 1 "$work/dryrun.tsv")
  old=$(awk -F'\t' -v n="$name" 'FNR > 1 && $1 == n { printf "%s files, +%s -%s", $3, $4, $5 }' \
    "$dryrun_tsv_in")
  old_sha=$(awk -F'\t' -v n="$name" 'FNR > 1 && $1 == n { print $2 }' "$dryrun_tsv_in")
  if [[ $old_sha != "$sha" ]]; then
    echo "  FIXES CHANGED: the --dry-run diff is now $files files, +$added -$removed" \
      "(${old:+was $old}$([[ -n $old ]] || echo none recorded))"
    total_fixes_changed=$((total_fixes_changed + 1))
  fi
done <"$repos_tsv"

if ((update)); then
  # findings.tsv: rows of repos not run are kept; rows of repos run are replaced by the new run,
  # keeping the verdict and note of every finding that matches (path, line:column, codemod).
  {
    printf 'repo\tpath\tline:column\tcodemod\tfix\tverdict\tnote\n'
    awk -F'\t' -v OFS='\t' '
      FILENAME == ARGV[1] { ran[$1] = 1; next }
      FILENAME == ARGV[2] { if (FNR > 1) { key = $1 FS $2 FS $3 FS $4; verdict[key] = $6; note[key] = $7
                                           if (!($1 in ran)) print $1, $2, $3, $4, $5, $6, $7 }
                            next }
      { key = $1 FS $2 FS $3 FS $4
        print $1, $2, $3, $4, $5, (key in verdict ? verdict[key] : "unjudged"), (key in note ? note[key] : "") }
    ' "$work/ran" "$findings_tsv_in" "$work/new.tsv" |
      awk -F'\t' -v OFS='\t' 'FNR == NR { if ($1 !~ /^#/) order[$1] = FNR; next } { print order[$1], $0 }' \
        "$repos_tsv" - | LC_ALL=C sort -t$'\t' -k1,1n -k3,3 -k4,4n -k5,5 | cut -f2-
  } >"$work/findings.out"
  mv "$work/findings.out" "$findings_tsv"
  {
    printf 'name\tsha256\tfiles\tadded\tremoved\n'
    awk -F'\t' -v OFS='\t' 'FILENAME == ARGV[1] { ran[$1] = 1; next }
      FILENAME == ARGV[2] { if (FNR > 1 && !($1 in ran)) print; next } { print }' \
      "$work/ran" "$dryrun_tsv_in" "$work/dryrun.tsv" |
      awk -F'\t' -v OFS='\t' 'FNR == NR { if ($1 !~ /^#/) order[$1] = FNR; next } { print order[$1], $0 }' \
        "$repos_tsv" - | LC_ALL=C sort -t$'\t' -k1,1n | cut -f2-
  } >"$work/dryrun.out"
  mv "$work/dryrun.out" "$dryrun_tsv"
fi

summary="summary: $ran repos run, $total_findings findings; $total_gained gained, $total_lost lost,"
summary+=" $total_changed fix changed; fixes changed in $total_fixes_changed repos"
((${#skipped[@]})) && summary+="; skipped (no snapshot): ${skipped[*]}"
((errors)) && summary+="; $errors errors"
((update)) && summary+="; findings.tsv and dryrun.tsv updated"
echo "$summary"

((errors)) && exit 2
((total_gained + total_lost + total_changed + total_fixes_changed)) && exit 1
exit 0
