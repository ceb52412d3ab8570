#!/usr/bin/env python3
"""Generate a deterministic synthetic Go monorepo for benchmarking goleak-fix.

The tree looks like a company monorepo: services/<svc>/{cmd,api,internal/...}, libs/<group>/...,
tools/..., with packages of several files each. The code is ordinary Go (structs, constructors,
methods with error handling, loops, maps, enums, HTTP handlers, table-driven tests) and, in
roughly one file in ten, concurrency that does not leak (worker pools that close their jobs
channel, the wait-then-close idiom, buffered result channels, generators that close, tickers
with a stop channel, signal handling). A known set of goroutine leaks of the five codemods'
shapes is planted; the manifest records each one by path, codemod and line.

Decoys, which goleak-fix must not report: leaks under vendor/, testdata/, `_examples/`, a
hidden directory, in generated files (`// Code generated ... DO NOT EDIT.`) and leaks silenced
with `//goleak-fix:ignore`. Generated files are in the scanned file list (every tool reads
them); the others are not.

    gen_monorepo.py OUT [--files N] [--lines L] [--seed S]    generate (skipped if up to date)
    gen_monorepo.py OUT --verify BIN [--jobs N]               run BIN --check, compare with plan

Standard library only. The same parameters always give byte-identical trees.
"""

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter

GENERATOR_VERSION = 3
MANIFEST = "bench-manifest.json"
MODULE = "example.com/mono"

# ---------------------------------------------------------------------------------------------
# Vocabulary

NOUNS = """account address agent alert archive asset audit backup balance batch billing blob
bucket budget cache campaign catalog certificate checkout claim cluster comment config
contract coupon credential customer dashboard dataset deployment device digest discount
document domain draft endpoint entry event export feature feed filter firmware gateway grant
group health host image incident index inventory invoice issue job journal kernel label lease
ledger license listing locale lock manifest member message metric migration mirror monitor
namespace node note notification offer order owner package page partition patch payment peer
permission pipeline plan policy pool profile project prompt quota rate receipt record region
release replica report request resource review role route rule runner sample schedule schema
scope secret segment sensor session shard shipment signal snapshot source span stage statement
status stock storage stream subscription summary supplier tag task team template tenant
thread ticket token topic trace transfer trigger upload usage user vault version volume
warehouse webhook widget window worker workspace zone""".split()

VERBS = """apply archive assign attach audit build cancel check claim clean collect commit compact
compute convert copy create decode delete deliver detach diff dispatch drain encode enqueue
evict expire export fetch filter flush forward freeze grant import index inspect label load
lookup merge migrate mirror notify parse patch pause poll prune publish purge query rebuild
reconcile record refresh register release reload render renew replay report reserve resolve
restore resume retry revoke rotate route sample save scan schedule seal sign snapshot split
stage start stop store submit summarize sync tag throttle track transfer trim unlock update
upload validate verify watch""".split()

ADJECTIVES = """active archived blocked cached closed cold default degraded deleted disabled
draft expired failed healthy hidden idle internal local locked manual open paused pending
primary private public queued ready remote retired running scheduled shared stale
suspended synced unknown verified warm""".split()

SUFFIXES = ["", "", "Store", "Service", "Manager", "Client", "Record", "Index", "Queue",
            "Registry", "Tracker", "Cache", "Set", "Pool", "Spec", "Info"]

FIELD_TYPES = [("string", None), ("int", None), ("int64", None), ("bool", None),
               ("float64", None), ("[]string", None), ("map[string]string", None),
               ("time.Duration", "time"), ("time.Time", "time"), ("[]byte", None),
               ("uint32", None), ("*url.URL", "net/url"), ("[]int", None)]

ELEM_TYPES = ["string", "int", "error", "bool", "[]byte", "int64", "struct{}"]

STDLIB = {"bytes", "context", "encoding/json", "errors", "flag", "fmt", "io", "log/slog",
          "net/http", "net/url", "os", "os/signal", "sort", "strconv", "strings", "sync",
          "syscall", "testing", "time"}

LICENSE = """// Copyright 2024 The Mono Authors. All rights reserved.
// Use of this source code is governed by an internal license
// that can be found in the LICENSE file.
"""

KEYWORDS = set("""break case chan const continue default defer else fallthrough for func go goto
if import interface map package range return select struct switch type var string int error
len close make new copy append cap delete panic recover print println min max clear any
nil true false iota real imag complex""".split())


NOUNS = [n for n in NOUNS if n not in KEYWORDS]


def cap(word):
    return word[0].upper() + word[1:]


# ---------------------------------------------------------------------------------------------
# Small helpers for writing gofmt-clean code


def T(src, depth=0, **kw):
    """Dedent `src`, turn each leading 4 spaces into a tab (plus `depth` more), substitute
    `$name`s."""
    out = []
    for line in textwrap.dedent(src).strip("\n").split("\n"):
        body = line.lstrip(" ")
        depth_here = depth + (len(line) - len(body)) // 4
        body = re.sub(r"\$(\w+)", lambda m: str(kw[m.group(1)]), body)
        out.append("\t" * depth_here + body if body else "")
    return out


def align(rows, indent):
    """Rows of cells, aligned as gofmt aligns them (each column padded to its widest + 1)."""
    widths = [max(len(row[i]) for row in rows if len(row) > i + 1) for i in
              range(max(len(r) for r in rows) - 1)]
    lines = []
    for row in rows:
        cells = [c.ljust(widths[i]) for i, c in enumerate(row[:-1])] + [row[-1]]
        lines.append(indent + " ".join(cells).rstrip())
    return lines


class Names:
    """Unique identifiers within one package."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def fresh(self, base):
        name = base
        n = 2
        while name in self.used or name in KEYWORDS:
            name = f"{base}{n}"
            n += 1
        self.used.add(name)
        return name

    def func(self, exported=None):
        r = self.rng
        verb, noun = r.choice(VERBS), r.choice(NOUNS)
        if exported is None:
            exported = r.random() < 0.5
        base = (cap(verb) if exported else verb) + cap(noun) + (r.choice(["", "", "s", "All", "ByID"]))
        return self.fresh(base)


# ---------------------------------------------------------------------------------------------
# Package model


class Struct:
    def __init__(self, name, fields, receiver):
        self.name = name
        self.fields = fields  # list of (name, type)
        self.receiver = receiver


def make_struct(rng, names, imports):
    noun = rng.choice(NOUNS)
    name = names.fresh(cap(noun) + rng.choice(SUFFIXES))
    fields = [("mu", "sync.Mutex"), ("name", "string"), ("limit", "int"),
              ("items", "map[string]int")]
    imports.add("sync")
    seen = {f[0] for f in fields}
    for _ in range(rng.randint(1, 6)):
        fname = rng.choice(NOUNS) + rng.choice(["", "s", "ID", "Count", "At", "Name", "Limit"])
        if fname in seen or fname in KEYWORDS:
            continue
        seen.add(fname)
        ftype, imp = rng.choice(FIELD_TYPES)
        if imp:
            imports.add(imp)
        fields.append((fname, ftype))
    return Struct(name, fields, name[0].lower())


class Pkg:
    def __init__(self, rng, name, path):
        self.rng = rng
        self.name = name
        self.path = path
        self.names = Names(rng)
        self.names.used.add(name)
        self.structs = []
        self.parsers = []  # functions the tests call


# ---------------------------------------------------------------------------------------------
# Ordinary code chunks: each returns (lines, imports)


def chunk_struct(pkg, imports):
    s = make_struct(pkg.rng, pkg.names, imports)
    pkg.structs.append(s)
    r = pkg.rng
    doc = r.choice([
        f"// {s.name} holds the state of one {r.choice(NOUNS)} and its {r.choice(NOUNS)} counters.",
        f"// {s.name} is safe for concurrent use; the zero value is not ready, use New{s.name}.",
        f"// {s.name} tracks {r.choice(ADJECTIVES)} {r.choice(NOUNS)}s by name.",
    ])
    lines = [doc, f"type {s.name} struct {{"]
    lines += align([[f, t] for f, t in s.fields], "\t")
    lines.append("}")
    # The constructor.
    lines.append("")
    imports.add("errors")
    limit = r.choice([16, 64, 128, 256, 1024, 4096])
    lines += T("""
        // New$T returns a $T named name, holding at most limit entries.
        func New$T(name string, limit int) (*$T, error) {
            if name == "" {
                return nil, errors.New("$pkg: empty $noun name")
            }
            if limit <= 0 {
                limit = $limit
            }
            $v := &$T{
                name:  name,
                limit: limit,
                items: make(map[string]int),
            }
            return $v, nil
        }
        """, T=s.name, pkg=pkg.name, noun=r.choice(NOUNS), limit=limit, v=s.receiver)
    return lines


def some_struct(pkg, imports):
    if not pkg.structs or pkg.rng.random() < 0.15:
        chunk_struct(pkg, imports)  # declared in another file of the package, in effect
        imports.discard("errors")
    return pkg.rng.choice(pkg.structs)


def chunk_method_add(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.update({"fmt"})
    name = pkg.names.fresh(cap(r.choice(VERBS)))
    return T("""
        // $M records n more entries under key. It fails when the $T is full.
        func ($v *$T) $M(key string, n int) error {
            if n < 0 {
                return fmt.Errorf("$pkg: negative count %d for %q", n, key)
            }
            $v.mu.Lock()
            defer $v.mu.Unlock()
            if _, ok := $v.items[key]; !ok && len($v.items) >= $v.limit {
                return fmt.Errorf("$pkg: %s is full (%d entries)", $v.name, $v.limit)
            }
            $v.items[key] += n
            return nil
        }
        """, v=s.receiver, T=s.name, M=name, pkg=pkg.name)


def chunk_method_get(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    name = pkg.names.fresh(cap(r.choice(["count", "lookup", "get", "total", "size"])) + cap(r.choice(NOUNS)))
    return T("""
        // $M returns the count stored under key and whether it was present.
        func ($v *$T) $M(key string) (int, bool) {
            $v.mu.Lock()
            defer $v.mu.Unlock()
            n, ok := $v.items[key]
            return n, ok
        }
        """, v=s.receiver, T=s.name, M=name)


def chunk_method_snapshot(pkg, imports):
    s = some_struct(pkg, imports)
    imports.add("sort")
    name = pkg.names.fresh("Keys" if pkg.rng.random() < 0.5 else "Snapshot")
    return T("""
        // $M returns the keys in sorted order.
        func ($v *$T) $M() []string {
            $v.mu.Lock()
            keys := make([]string, 0, len($v.items))
            for k := range $v.items {
                keys = append(keys, k)
            }
            $v.mu.Unlock()
            sort.Strings(keys)
            return keys
        }
        """, v=s.receiver, T=s.name, M=name)


def chunk_parse(pkg, imports):
    r = pkg.rng
    noun = r.choice(NOUNS)
    name = pkg.names.fresh("parse" + cap(noun) + r.choice(["", "s", "List", "Spec"]))
    pkg.parsers.append(name)
    imports.update({"fmt", "strconv", "strings"})
    sep = r.choice([",", ";", "&"])
    return T("""
        // $F parses "key=value" pairs separated by "$sep" into a map.
        // Empty parts are skipped; a part without "=" or with a non-numeric value is an error.
        func $F(raw string) (map[string]int, error) {
            out := make(map[string]int)
            for _, part := range strings.Split(raw, "$sep") {
                part = strings.TrimSpace(part)
                if part == "" {
                    continue
                }
                key, value, ok := strings.Cut(part, "=")
                if !ok {
                    return nil, fmt.Errorf("invalid $noun %q: missing '='", part)
                }
                n, err := strconv.Atoi(strings.TrimSpace(value))
                if err != nil {
                    return nil, fmt.Errorf("invalid $noun %q: %w", part, err)
                }
                out[strings.ToLower(key)] += n
            }
            return out, nil
        }
        """, F=name, sep=sep, noun=noun)


def chunk_enum(pkg, imports):
    r = pkg.rng
    noun = r.choice(NOUNS)
    typ = pkg.names.fresh(cap(noun) + r.choice(["State", "Kind", "Phase", "Mode"]))
    values = r.sample(ADJECTIVES, r.randint(3, 7))
    consts = [pkg.names.fresh(typ + cap(v)) for v in values]
    imports.add("fmt")
    lines = [f"// {typ} is the lifecycle state of a {noun}.", f"type {typ} int", "", "const ("]
    lines.append(f"\t{consts[0]} {typ} = iota")
    lines += ["\t" + c for c in consts[1:]]
    lines += [")", "", f"// String returns the {noun} state as it appears in logs and APIs.",
              f"func (s {typ}) String() string {{", "\tswitch s {"]
    for c, v in zip(consts, values):
        lines += [f"\tcase {c}:", f'\t\treturn "{v}"']
    lines += ["\tdefault:", f'\t\treturn fmt.Sprintf("{typ}(%d)", int(s))', "\t}", "}"]
    return lines


def chunk_errors(pkg, imports):
    r = pkg.rng
    imports.add("errors")
    rows = []
    for _ in range(r.randint(2, 6)):
        adj, noun = r.choice(ADJECTIVES), r.choice(NOUNS)
        name = pkg.names.fresh("Err" + cap(noun) + cap(adj))
        rows.append([name, "=", f'errors.New("{pkg.name}: {noun} {adj}")'])
    return ["// Errors returned by this package; compare them with errors.Is.", "var ("] + \
        align(rows, "\t") + [")"]


def chunk_interface(pkg, imports):
    r = pkg.rng
    imports.add("context")
    noun = r.choice(NOUNS)
    name = pkg.names.fresh(cap(noun) + r.choice(["er", "Source", "Backend", "Provider", "Store"]))
    verbs = r.sample(VERBS, r.randint(2, 5))
    lines = [f"// {name} is implemented by anything that stores {noun}s.", f"type {name} interface {{"]
    for v in verbs:
        lines.append(f"\t{cap(v)}(ctx context.Context, id string) error")
    lines.append(f"\tList(ctx context.Context, prefix string) ([]string, error)")
    lines.append("}")
    return lines


def chunk_top(pkg, imports):
    r = pkg.rng
    imports.add("sort")
    name = pkg.names.fresh("top" + cap(r.choice(NOUNS)) + "s")
    return T("""
        // $F returns the n keys with the highest counts, ties broken by name.
        func $F(counts map[string]int, n int) []string {
            keys := make([]string, 0, len(counts))
            for k := range counts {
                keys = append(keys, k)
            }
            sort.Slice(keys, func(i, j int) bool {
                if counts[keys[i]] != counts[keys[j]] {
                    return counts[keys[i]] > counts[keys[j]]
                }
                return keys[i] < keys[j]
            })
            if len(keys) > n {
                keys = keys[:n]
            }
            return keys
        }
        """, F=name)


def chunk_retry(pkg, imports):
    r = pkg.rng
    imports.update({"context", "fmt", "time"})
    verb = r.choice(VERBS)
    name = pkg.names.fresh("retry" + cap(verb))
    return T("""
        // $F calls fn until it succeeds, the attempts run out or ctx is done,
        // doubling the pause between attempts.
        func $F(ctx context.Context, attempts int, fn func(context.Context) error) error {
            var err error
            backoff := $ms * time.Millisecond
            for i := 0; i < attempts; i++ {
                if err = fn(ctx); err == nil {
                    return nil
                }
                timer := time.NewTimer(backoff)
                select {
                case <-ctx.Done():
                    timer.Stop()
                    return ctx.Err()
                case <-timer.C:
                }
                backoff *= 2
            }
            return fmt.Errorf("$verb after %d attempts: %w", attempts, err)
        }
        """, F=name, ms=r.choice([10, 25, 50, 100]), verb=verb)


def chunk_handler(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.update({"encoding/json", "net/http", "log/slog"})
    noun = r.choice(NOUNS)
    name = pkg.names.fresh("handle" + cap(r.choice(VERBS)) + cap(noun))
    fields = [("Name", "string", '`json:"name"`'), ("Count", "int", '`json:"count"`')]
    for _ in range(r.randint(0, 3)):
        f = cap(r.choice(NOUNS))
        if f not in {x[0] for x in fields}:
            t = r.choice(["string", "int", "bool", "[]string"])
            fields.append((f, t, f'`json:"{f.lower()},omitempty"`'))
    lines = T("""
        // $F serves POST /$path: it records the $noun count from the request body.
        func ($v *$T) $F(w http.ResponseWriter, r *http.Request) {
            if r.Method != http.MethodPost {
                http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
                return
            }
            var req struct {
        """, F=name, v=s.receiver, T=s.name, path=f"v1/{noun}s", noun=noun)
    lines += align([list(f) for f in fields], "\t\t")
    lines += T("""
            }
            if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
                http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
                return
            }
            if req.Name == "" {
                http.Error(w, "name is required", http.StatusUnprocessableEntity)
                return
            }
            $v.mu.Lock()
            $v.items[req.Name] += req.Count
            total := $v.items[req.Name]
            $v.mu.Unlock()
            w.Header().Set("Content-Type", "application/json")
            if err := json.NewEncoder(w).Encode(map[string]int{"total": total}); err != nil {
                slog.Error("encode response", "handler", "$F", "err", err)
            }
        }
        """, v=s.receiver, F=name)
    return lines


def chunk_summary(pkg, imports):
    r = pkg.rng
    imports.update({"fmt", "strings"})
    noun = r.choice(NOUNS)
    name = pkg.names.fresh("summarize" + cap(noun) + "s")
    return T("""
        // $F renders counts as "key=n" lines, skipping zero entries,
        // followed by a total.
        func $F(counts map[string]int, keys []string) string {
            var b strings.Builder
            total := 0
            for _, k := range keys {
                n := counts[k]
                if n == 0 {
                    continue
                }
                fmt.Fprintf(&b, "%s=%d\\n", k, n)
                total += n
            }
            switch {
            case total == 0:
                b.WriteString("no $noun entries\\n")
            case total > $big:
                fmt.Fprintf(&b, "total=%d (over $big)\\n", total)
            default:
                fmt.Fprintf(&b, "total=%d\\n", total)
            }
            return b.String()
        }
        """, F=name, noun=noun, big=r.choice([100, 1000, 10000]))


def chunk_validate(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.add("fmt")
    name = pkg.names.fresh("Validate" if r.random() < 0.5 else "check" + cap(r.choice(NOUNS)))
    lines = [f"// {name} reports the first problem with the {s.name}'s configuration.",
             f"func ({s.receiver} *{s.name}) {name}() error {{"]
    v = s.receiver
    lines += T("""
        if $v.name == "" {
            return fmt.Errorf("$pkg: missing name")
        }
        if $v.limit < 0 || $v.limit > $max {
            return fmt.Errorf("$pkg: %s: limit %d out of range [0, $max]", $v.name, $v.limit)
        }
        """, depth=1, v=v, pkg=pkg.name, max=r.choice([1 << 10, 1 << 16, 1 << 20]))
    for fname, ftype in s.fields[4:]:
        if ftype == "string":
            extra = T("""
                if strings.ContainsAny($v.$f, " \\t\\n") {
                    return fmt.Errorf("$pkg: %s: $f %q contains white space", $v.name, $v.$f)
                }
                """, depth=1, v=v, f=fname, pkg=pkg.name)
            imports.add("strings")
        elif ftype in ("int", "int64", "float64"):
            extra = T("""
                if $v.$f < 0 {
                    return fmt.Errorf("$pkg: %s: negative $f", $v.name)
                }
                """, depth=1, v=v, f=fname, pkg=pkg.name)
        elif ftype == "time.Duration":
            extra = T("""
                if $v.$f != 0 && $v.$f < time.Millisecond {
                    return fmt.Errorf("$pkg: %s: $f %v below 1ms", $v.name, $v.$f)
                }
                """, depth=1, v=v, f=fname, pkg=pkg.name)
        elif ftype.startswith("[]"):
            extra = T("""
                if len($v.$f) > $v.limit {
                    return fmt.Errorf("$pkg: %s: %d $f, limit %d", $v.name, len($v.$f), $v.limit)
                }
                """, depth=1, v=v, f=fname, pkg=pkg.name)
        else:
            continue
        lines += extra
    lines += ["\treturn nil", "}"]
    return lines


def chunk_table(pkg, imports):
    r = pkg.rng
    name = pkg.names.fresh("default" + cap(r.choice(NOUNS)) + "Names")
    words = r.sample(NOUNS, r.randint(4, 16))
    lines = [f"// {name} lists the names accepted when none are configured.",
             f"var {name} = []string{{"]
    lines += [f'\t"{w}",' for w in words]
    lines.append("}")
    return lines


def chunk_test(pkg, imports):
    r = pkg.rng
    imports.add("testing")
    target = r.choice(pkg.parsers) if pkg.parsers else "parse" + cap(r.choice(NOUNS))
    name = pkg.names.fresh("Test" + cap(target))
    cases = []
    for i in range(r.randint(2, 6)):
        k = r.sample(NOUNS, r.randint(0, 3))
        raw = ",".join(f"{x}={r.randint(0, 99)}" for x in k)
        cases.append(f'\t\t{{name: "{r.choice(ADJECTIVES)}-{i}", input: "{raw}", want: {len(k)}}},')
    lines = [f"func {name}(t *testing.T) {{", "\ttests := []struct {"]
    lines += align([["name", "string"], ["input", "string"], ["want", "int"], ["wantErr", "bool"]], "\t\t")
    lines.append("\t}{")
    lines += cases
    lines += T("""
            {name: "bad", input: "x=y", wantErr: true},
        }
        for _, tt := range tests {
            t.Run(tt.name, func(t *testing.T) {
                got, err := $F(tt.input)
                if (err != nil) != tt.wantErr {
                    t.Fatalf("$F(%q) error = %v, wantErr %v", tt.input, err, tt.wantErr)
                }
                if !tt.wantErr && len(got) != tt.want {
                    t.Errorf("$F(%q) = %d entries, want %d", tt.input, len(got), tt.want)
                }
            })
        }
        """, depth=1, F=target)
    lines.append("}")
    return lines


ORDINARY = [(chunk_method_add, 6), (chunk_method_get, 5), (chunk_method_snapshot, 3),
            (chunk_parse, 5), (chunk_enum, 3), (chunk_errors, 2), (chunk_interface, 2),
            (chunk_top, 3), (chunk_retry, 2), (chunk_handler, 4), (chunk_summary, 4),
            (chunk_validate, 4), (chunk_table, 2), (chunk_struct, 4)]

# ---------------------------------------------------------------------------------------------
# Concurrency that does not leak


def conc_pool(pkg, imports):
    r = pkg.rng
    imports.update({"sync", "strings"})
    name = pkg.names.func()
    jobs, results = r.choice([("jobs", "results"), ("work", "out"), ("tasks", "done")])
    return T("""
        // $F upper-cases every name with a pool of workers and returns the total length.
        func $F(names []string, workers int) int {
            $jobs := make(chan string)
            $results := make(chan int, len(names))
            var wg sync.WaitGroup
            for i := 0; i < workers; i++ {
                wg.Add(1)
                go func() {
                    defer wg.Done()
                    for name := range $jobs {
                        $results <- len(strings.ToUpper(name))
                    }
                }()
            }
            for _, name := range names {
                $jobs <- name
            }
            close($jobs)
            wg.Wait()
            close($results)
            total := 0
            for n := range $results {
                total += n
            }
            return total
        }
        """, F=name, jobs=jobs, results=results)


def conc_wait_close(pkg, imports):
    r = pkg.rng
    imports.add("sync")
    name = pkg.names.func()
    c = r.choice(["c", "sizes", "lengths", "counts"])
    return T("""
        // $F measures every item concurrently and sums the results.
        func $F(items []string) int {
            var wg sync.WaitGroup
            $c := make(chan int)
            for _, item := range items {
                wg.Add(1)
                go func() {
                    defer wg.Done()
                    $c <- len(item)
                }()
            }
            go func() {
                wg.Wait()
                close($c)
            }()
            sum := 0
            for v := range $c {
                sum += v
            }
            return sum
        }
        """, F=name, c=c)


def conc_buffered_select(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.update({"context", "fmt", "time"})
    name = pkg.names.fresh(cap(r.choice(VERBS)) + cap(r.choice(NOUNS)) + "Timeout")
    return T("""
        // $F looks key up, giving up after $n seconds or when ctx is done.
        func ($v *$T) $F(ctx context.Context, key string) (int, error) {
            ctx, cancel := context.WithTimeout(ctx, $n*time.Second)
            defer cancel()
            result := make(chan int, 1)
            go func() {
                $v.mu.Lock()
                n := $v.items[key]
                $v.mu.Unlock()
                result <- n
            }()
            select {
            case n := <-result:
                return n, nil
            case <-ctx.Done():
                return 0, fmt.Errorf("$pkg: lookup %q: %w", key, ctx.Err())
            }
        }
        """, F=name, v=s.receiver, T=s.name, n=r.choice([1, 2, 5, 10, 30]), pkg=pkg.name)


def conc_generator(pkg, imports):
    r = pkg.rng
    imports.add("strings")
    name = pkg.names.fresh("stream" + cap(r.choice(NOUNS)) + "s")
    return T("""
        // $F yields the trimmed, non-empty lines of text, in order.
        func $F(text string) <-chan string {
            out := make(chan string)
            go func() {
                defer close(out)
                for _, line := range strings.Split(text, "\\n") {
                    if line = strings.TrimSpace(line); line != "" {
                        out <- line
                    }
                }
            }()
            return out
        }
        """, F=name)


def conc_janitor(pkg, imports):
    s = some_struct(pkg, imports)
    imports.add("time")
    name = pkg.names.fresh("Start" + cap(pkg.rng.choice(["janitor", "reaper", "flusher", "sweeper"])))
    return T("""
        // $F drops empty entries every interval until the returned stop function is called.
        func ($v *$T) $F(interval time.Duration) (stop func()) {
            done := make(chan struct{})
            ticker := time.NewTicker(interval)
            go func() {
                defer ticker.Stop()
                for {
                    select {
                    case <-ticker.C:
                        $v.mu.Lock()
                        for k, n := range $v.items {
                            if n == 0 {
                                delete($v.items, k)
                            }
                        }
                        $v.mu.Unlock()
                    case <-done:
                        return
                    }
                }
            }()
            return func() { close(done) }
        }
        """, F=name, v=s.receiver, T=s.name)


def conc_errs(pkg, imports):
    r = pkg.rng
    imports.update({"context", "sync"})
    name = pkg.names.func()
    return T("""
        // $F runs check for every id concurrently and returns the first error.
        func $F(ctx context.Context, ids []string, check func(context.Context, string) error) error {
            errs := make(chan error, len(ids))
            var wg sync.WaitGroup
            for _, id := range ids {
                wg.Add(1)
                go func() {
                    defer wg.Done()
                    errs <- check(ctx, id)
                }()
            }
            wg.Wait()
            close(errs)
            for err := range errs {
                if err != nil {
                    return err
                }
            }
            return nil
        }
        """, F=name)


def conc_receive_all(pkg, imports):
    r = pkg.rng
    name = pkg.names.func()
    return T("""
        // $F hashes every word concurrently and returns the sum of the hashes.
        func $F(words []string) uint32 {
            hashes := make(chan uint32)
            for _, w := range words {
                go func() {
                    var h uint32 = $basis
                    for i := 0; i < len(w); i++ {
                        h = (h ^ uint32(w[i])) * $prime
                    }
                    hashes <- h
                }()
            }
            var sum uint32
            for range words {
                sum += <-hashes
            }
            return sum
        }
        """, F=name, basis=2166136261, prime=16777619)


CONCURRENT = [(conc_pool, 3), (conc_wait_close, 3), (conc_buffered_select, 3),
              (conc_generator, 2), (conc_janitor, 2), (conc_errs, 3), (conc_receive_all, 1)]

# ---------------------------------------------------------------------------------------------
# Planted leaks: each returns (lines, channel name); the finding is on the channel's `make`.


def leak_premature_seed(pkg, imports):
    r = pkg.rng
    imports.update({"errors", "time"})
    name, helper = pkg.names.func(), pkg.names.func(exported=False)
    c = r.choice(["c", "errc", "result", "done"])
    return T("""
        func $H(fail bool) error {
            time.Sleep($ms * time.Millisecond)
            if fail {
                return errors.New("$pkg: $H failed")
            }
            return nil
        }

        // $F starts the slow check and returns early for positive a.
        func $F(a int) error {
            $c := make(chan error)
            go func() {
                err := $H(a < 0)
                $c <- err
            }()
            if a > 0 {
                return nil
            }
            err := <-$c
            return err
        }
        """, F=name, H=helper, c=c, ms=r.choice([5, 10, 20]), pkg=pkg.name), c


def leak_premature_var(pkg, imports):
    r = pkg.rng
    imports.add("time")
    name = pkg.names.func()
    c = r.choice(["ready", "warm", "loaded"])
    return T("""
        // $F warms the cache in the background and waits only when asked to.
        func $F(wait bool) bool {
            var $c = make(chan bool)
            go func() {
                time.Sleep($ms * time.Millisecond)
                $c <- true
            }()
            if !wait {
                return false
            }
            ok, open := <-$c
            return ok && open
        }
        """, F=name, c=c, ms=r.choice([5, 10, 50])), c


def leak_premature_named(pkg, imports):
    r = pkg.rng
    imports.add("time")
    name, helper = pkg.names.func(), pkg.names.fresh("squareInto" + cap(r.choice(NOUNS)))
    cache = pkg.names.fresh(r.choice(NOUNS) + "Cache")
    return T("""
        var $K = map[int]int{2: 4, 3: 9}

        // $H does the slow computation and hands the result over.
        func $H(n int, out chan<- int) {
            time.Sleep(10 * time.Millisecond)
            out <- n * n
        }

        func $F(n int) int {
            results := make(chan int)
            go $H(n, results)
            if v, ok := $K[n]; ok {
                return v
            }
            return <-results
        }
        """, F=name, H=helper, K=cache), "results"


def leak_timeout_after(pkg, imports):
    r = pkg.rng
    imports.update({"errors", "fmt", "time"})
    name = pkg.names.func()
    c = r.choice(["names", "answers", "found", "reply"])
    return T("""
        // $F looks id up, giving up after d.
        func $F(id int, d time.Duration) (string, error) {
            $c := make(chan string)
            go func() {
                time.Sleep(20 * time.Millisecond)
                $c <- fmt.Sprintf("$noun-%d", id)
            }()
            select {
            case name := <-$c:
                return name, nil
            case <-time.After(d):
                return "", errors.New("$pkg: lookup timed out")
            }
        }
        """, F=name, c=c, noun=r.choice(NOUNS), pkg=pkg.name), c


def leak_timeout_ctx(pkg, imports):
    r = pkg.rng
    imports.update({"context", "time"})
    name = pkg.names.func()
    c = r.choice(["rows", "counts", "sizes"])
    return T("""
        // $F runs the query with a deadline.
        func $F(parent context.Context, timeout time.Duration) (int, error) {
            ctx, cancel := context.WithTimeout(parent, timeout)
            defer cancel()

            $c := make(chan int)
            go func() {
                time.Sleep(20 * time.Millisecond)
                $c <- $n
            }()
            select {
            case n := <-$c:
                return n, nil
            case <-ctx.Done():
                return 0, ctx.Err()
            }
        }
        """, F=name, c=c, n=r.randint(1, 999)), c


def leak_timeout_default(pkg, imports):
    r = pkg.rng
    imports.add("time")
    name = pkg.names.func()
    c = r.choice(["status", "state", "probe"])
    return T("""
        // $F reports the host's status only if it is ready right now.
        func $F(host string) (string, bool) {
            $c := make(chan string)
            go func() {
                time.Sleep(10 * time.Millisecond)
                $c <- host + ": ok"
            }()
            select {
            case s := <-$c:
                return s, true
            default:
                return "", false
            }
        }
        """, F=name, c=c), c


def leak_abandoned_closure(pkg, imports):
    r = pkg.rng
    name = pkg.names.func()
    c = r.choice(["jobs", "work", "queue"])
    return T("""
        // $F squares the numbers with four workers and sums the squares.
        func $F(nums []int) int {
            $c := make(chan int)
            results := make(chan int, len(nums))
            for w := 0; w < 4; w++ {
                go func() {
                    for n := range $c {
                        results <- n * n
                    }
                }()
            }
            for _, x := range nums {
                $c <- x
            }

            sum := 0
            for range nums {
                sum += <-results
            }
            return sum
        }
        """, F=name, c=c), c


def leak_abandoned_worker(pkg, imports):
    r = pkg.rng
    imports.update({"fmt", "strings"})
    name, worker = pkg.names.func(), pkg.names.fresh(r.choice(NOUNS) + "Worker")
    return T("""
        // $F loads the records, starts a pool of workers and collects one result per record.
        func $F(records []string) []string {
            total := len(records)
            input := make(chan string, total)
            for _, record := range records {
                input <- record
            }

            output := make(chan string, total)
            for i := 0; i < 4; i++ {
                go $W(i, input, output)
            }

            results := make([]string, 0, total)
            for i := 0; i < total; i++ {
                results = append(results, <-output)
            }
            return results
        }

        func $W(id int, input <-chan string, output chan<- string) {
            for v := range input {
                output <- fmt.Sprintf("%d:%s", id, strings.ToUpper(v))
            }
        }
        """, F=name, W=worker), "input"


def leak_ncast_range(pkg, imports):
    r = pkg.rng
    imports.add("strings")
    name = pkg.names.func()
    c = r.choice(["answers", "c", "first"])
    return T("""
        // $F asks every mirror and returns the fastest answer.
        func $F(mirrors []string) string {
            $c := make(chan string)
            for _, m := range mirrors {
                go func() {
                    $c <- strings.TrimPrefix(m, "https://")
                }()
            }
            return <-$c
        }
        """, F=name, c=c), c


def leak_ncast_select(pkg, imports):
    r = pkg.rng
    imports.add("time")
    name = pkg.names.func()
    c = r.choice(["replies", "votes", "acks"])
    return T("""
        // $F queries every replica and takes the first reply, or gives up after timeout.
        func $F(replicas []string, timeout time.Duration) (string, bool) {
            $c := make(chan string)
            for _, r := range replicas {
                go func() {
                    time.Sleep(time.Millisecond)
                    $c <- r
                }()
            }
            select {
            case r := <-$c:
                return r, true
            case <-time.After(timeout):
                return "", false
            }
        }
        """, F=name, c=c), c


def leak_iteration_seed(pkg, imports):
    r = pkg.rng
    imports.add("sync")
    name = pkg.names.func()
    return T("""
        // $F processes every item concurrently.
        func $F(items []int) {
            wg := &sync.WaitGroup{}
            c := make(chan any, 1)

            for _, item := range items {
                wg.Add(1)
                go func() {
                    c <- item * 2
                }()
            }

            go func() {
                for range c {
                    wg.Done()
                }
            }()

            wg.Wait()
        }
        """, F=name), "c"


def leak_iteration_defer(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.add("sync")
    name = pkg.names.func()
    c = r.choice(["sizes", "events", "deltas"])
    return T("""
        // $F adds the size of every chunk to the $T, concurrently.
        func $F($v *$T, chunks []string) {
            var wg sync.WaitGroup
            $c := make(chan int, 4)
            go func() {
                for n := range $c {
                    $v.mu.Lock()
                    $v.items["bytes"] += n
                    $v.mu.Unlock()
                }
            }()
            for _, chunk := range chunks {
                wg.Add(1)
                go func() {
                    defer wg.Done()
                    $c <- len(chunk)
                }()
            }
            wg.Wait()
        }
        """, F=name, c=c, v=s.receiver, T=s.name), c


def leak_iteration_wggo(pkg, imports):
    s = some_struct(pkg, imports)
    r = pkg.rng
    imports.add("sync")
    name = pkg.names.func()
    return T("""
        // $F registers the users with the $T.
        func $F($v *$T, users []int) {
            var wg sync.WaitGroup
            ids := make(chan int)
            go func() {
                for id := range ids {
                    $v.mu.Lock()
                    $v.limit += id
                    $v.mu.Unlock()
                }
            }()
            for _, u := range users {
                wg.Go(func() {
                    ids <- u * 10
                })
            }
            wg.Wait()
        }
        """, F=name, v=s.receiver, T=s.name), "ids"


LEAKS = {
    "premature-return": [leak_premature_seed, leak_premature_var, leak_premature_named],
    "timeout-leak": [leak_timeout_after, leak_timeout_ctx, leak_timeout_default],
    "abandoned-receivers": [leak_abandoned_closure, leak_abandoned_worker],
    "ncast-leak": [leak_ncast_range, leak_ncast_select],
    "channel-iteration-misuse": [leak_iteration_seed, leak_iteration_defer, leak_iteration_wggo],
}
CODEMODS = sorted(LEAKS)

# ---------------------------------------------------------------------------------------------
# Files


def weighted(rng, table):
    total = sum(w for _, w in table)
    x = rng.random() * total
    for item, w in table:
        x -= w
        if x < 0:
            return item
    return table[-1][0]


def render_imports(imports):
    if not imports:
        return []
    std = sorted(i for i in imports if i in STDLIB)
    other = sorted(i for i in imports if i not in STDLIB)
    if len(std) + len(other) == 1:
        return [f'import "{(std + other)[0]}"', ""]
    lines = ["import ("] + [f'\t"{i}"' for i in std]
    if std and other:
        lines.append("")
    lines += [f'\t"{i}"' for i in other] + [")", ""]
    return lines


def build_file(pkg, spec):
    """spec: dict(target=lines, test=bool, concurrent=bool, leaks=[codemod...],
    suppressed=[codemod...], generated=str|None, license=bool). Returns (text, planted)."""
    rng = pkg.rng
    imports = set()
    chunks = []  # list of (lines, leak-info or None)
    body_lines = 0

    def add(lines, info=None):
        nonlocal body_lines
        chunks.append((lines, info))
        body_lines += len(lines) + 1

    for codemod, variant in spec["leaks"]:
        template = LEAKS[codemod][variant] if variant is not None else rng.choice(LEAKS[codemod])
        lines, ch = template(pkg, imports)
        add(lines, (codemod, ch, False))
    for codemod in spec["suppressed"]:
        lines, ch = rng.choice(LEAKS[codemod])(pkg, imports)
        add(lines, (codemod, ch, True))
    if spec["concurrent"]:
        for _ in range(rng.randint(1, 2)):
            add(weighted(rng, CONCURRENT)(pkg, imports))
    header = 12
    while body_lines + header < spec["target"]:
        if spec["test"]:
            add(chunk_test(pkg, imports) if rng.random() < 0.7 else weighted(rng, ORDINARY)(pkg, imports))
        else:
            add(weighted(rng, ORDINARY)(pkg, imports))
    if spec["test"]:
        imports.add("testing")
    rng.shuffle(chunks)

    out = []
    if spec["generated"]:
        out += [f"// Code generated by {spec['generated']}. DO NOT EDIT.", ""]
    elif spec["license"]:
        out += LICENSE.rstrip("\n").split("\n") + [""]
    if rng.random() < 0.2 and not spec["test"]:
        out.append(f"// Package {pkg.name} implements the {pkg.name} {rng.choice(NOUNS)} {rng.choice(['API', 'service', 'storage', 'helpers'])}.")
    out += [f"package {pkg.name}", ""]
    out += render_imports(imports)
    planted = []
    for lines, info in chunks:
        if info:
            codemod, ch, suppressed = info
            pat = re.compile(r"^\t(var )?" + re.escape(ch) + r" :?= make\(chan ")
            at = next(i for i, l in enumerate(lines) if pat.match(l))
            if suppressed:
                lines = list(lines)
                lines.insert(at, "\t//goleak-fix:ignore " + codemod + " the caller always drains it")
                at += 1
            planted.append({"codemod": codemod, "line": len(out) + at + 1, "suppressed": suppressed})
        out += lines
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n", planted


# ---------------------------------------------------------------------------------------------
# The plan: packages, files and what goes where. Computed up front from the seed, so each
# package can then be written by any worker process and the result is the same.


def plan(files, lines, seed, leak_every):
    rng = random.Random(f"plan/{seed}")
    packages = []  # (dir, pkgname, [file specs], decoy_kind or None)
    used_dirs = set()

    def pkg_dir(parts):
        d = "/".join(parts)
        n = 2
        base = d
        while d in used_dirs:
            d = f"{base}{n}"
            n += 1
        used_dirs.add(d)
        return d

    n_services = max(2, files // 350)
    services = sorted({rng.choice(NOUNS) + rng.choice(["", "svc", "d", "-api", "-worker", "-gateway"]) for _ in range(n_services * 2)})[:n_services]
    lib_groups = sorted(set(rng.sample(NOUNS, max(2, min(40, files // 1500)))))

    # File sizes: log-normal, scaled to the requested mean.
    count = 0
    specs_sizes = []
    while count < files:
        k = min(files - count, max(1, int(rng.lognormvariate(1.7, 0.6))))
        specs_sizes.append(k)
        count += k
    mean = lines / files
    raw = [rng.lognormvariate(0, 0.85) for _ in range(files)]
    scale = mean / (sum(raw) / len(raw))
    targets = [max(25, min(4000, int(x * scale))) for x in raw]

    fi = 0
    eligible, eligible_all = [], []
    for pi, k in enumerate(specs_sizes):
        where = rng.random()
        name = rng.choice(NOUNS)
        if where < 0.6:
            svc = rng.choice(services)
            if rng.random() < 0.08:
                d = pkg_dir(["services", svc, "cmd", svc])
                name = "main"
            else:
                d = pkg_dir(["services", svc, rng.choice(["internal", "internal", "pkg", "api"]), name])
        elif where < 0.95:
            d = pkg_dir(["libs", rng.choice(lib_groups), name])
        else:
            d = pkg_dir(["tools", name])
        specs = []
        used_names = set()
        for j in range(k):
            base = rng.choice(NOUNS) + rng.choice(["", "", "_" + rng.choice(VERBS), "_util", "_types"])
            test = j > 0 and rng.random() < 0.3
            fname = base + ("_test.go" if test else ".go")
            while fname in used_names:
                fname = "x" + fname
            used_names.add(fname)
            generated = None
            if not test and rng.random() < 0.02:
                generated = rng.choice(["protoc-gen-go", "MockGen", "stringer -type=Kind", "controller-gen"])
                fname = fname[:-3] + rng.choice([".pb.go", "_mock.go", "_string.go", "_deepcopy.go"])
                while fname in used_names:
                    fname = "x" + fname
                used_names.add(fname)
            leaks, suppressed = [], []
            if not test and not generated:
                eligible.append(len(specs))
            if not test and rng.random() < 0.004:
                suppressed.append(rng.choice(CODEMODS))
            if generated and rng.random() < 0.5:
                leaks.append((rng.choice(CODEMODS), None))  # a decoy: generated files are skipped
            specs.append({"name": fname, "target": targets[fi], "test": test,
                          "concurrent": rng.random() < 0.08, "leaks": leaks,
                          "suppressed": suppressed, "generated": generated,
                          "license": rng.random() < 0.5})
            fi += 1
        packages.append((d, name, specs, None))
        eligible_all += [(len(packages) - 1, j) for j in eligible]
        eligible = []

    # Planted leaks: every stride-th eligible file (at least 10 leaks, so a small run still
    # plants each codemod twice), codemods and their variants taken in turn.
    stride = max(1, min(leak_every, len(eligible_all) // 10))
    for leak_no, (pi, j) in enumerate(eligible_all[stride // 2::stride]):
        codemod = CODEMODS[leak_no % len(CODEMODS)]
        variant = (leak_no // len(CODEMODS)) % len(LEAKS[codemod])
        packages[pi][2][j]["leaks"].append((codemod, variant))

    # Decoys outside the scanned set: vendor/, testdata/, _examples/, a hidden directory.
    n_decoy = max(4, files // 200)
    for i in range(n_decoy):
        kind = ["vendor", "testdata", "underscore", "hidden"][i % 4]
        name = rng.choice(NOUNS)
        if kind == "vendor":
            d = pkg_dir(["vendor", "github.com", "acme", name])
        elif kind == "testdata":
            host = rng.choice([p[0] for p in packages])
            d = pkg_dir([host, "testdata", name])
        elif kind == "underscore":
            d = pkg_dir(["_examples", name])
        else:
            d = pkg_dir([".tools", name])
        specs = [{"name": f"{rng.choice(NOUNS)}.go", "target": rng.randint(60, 400), "test": False,
                  "concurrent": True, "leaks": [(rng.choice(CODEMODS), None)], "suppressed": [],
                  "generated": None, "license": False}]
        packages.append((d, name, specs, kind))
    return packages


def write_package(args):
    out, seed, index, (d, name, specs, decoy) = args
    pkg = Pkg(random.Random(f"pkg/{seed}/{index}"), name, d)
    results = []
    os.makedirs(os.path.join(out, d), exist_ok=True)
    for spec in specs:
        text, planted = build_file(pkg, spec)
        path = f"{d}/{spec['name']}"
        with open(os.path.join(out, path), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        results.append({"path": path, "lines": text.count("\n"), "bytes": len(text.encode()),
                        "generated": spec["generated"] is not None, "decoy": decoy,
                        "planted": planted})
    return results


def params_of(args):
    return {"files": args.files, "lines": args.lines, "seed": args.seed,
            "leak_every": args.leak_every, "version": GENERATOR_VERSION}


def generate(args):
    out = args.out
    manifest_path = os.path.join(out, MANIFEST)
    params = params_of(args)
    if os.path.exists(manifest_path) and not args.force:
        with open(manifest_path) as f:
            if json.load(f).get("params") == params:
                print(f"gen_monorepo: {out} is up to date", file=sys.stderr)
                return 0
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    packages = plan(args.files, args.lines, args.seed, args.leak_every)
    tasks = [(out, args.seed, i, p) for i, p in enumerate(packages)]
    procs = args.procs or os.cpu_count() or 1
    if procs > 1:
        with multiprocessing.Pool(procs) as pool:
            results = [r for rs in pool.imap(write_package, tasks, chunksize=16) for r in rs]
    else:
        results = [r for t in tasks for r in write_package(t)]
    with open(os.path.join(out, "go.mod"), "w") as f:
        f.write(f"module {MODULE}\n\ngo 1.25\n")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("Synthetic monorepo generated by bench/gen_monorepo.py for benchmarking goleak-fix.\n"
                "Do not edit; regenerate instead.\n")

    scanned = [r for r in results if r["decoy"] is None]
    expected, decoys = [], []
    for r in results:
        for p in r["planted"]:
            entry = {"path": r["path"], "codemod": p["codemod"], "line": p["line"]}
            if r["decoy"] is None and not r["generated"] and not p["suppressed"]:
                expected.append(entry)
            else:
                entry["why"] = r["decoy"] or ("generated" if r["generated"] else "suppressed")
                decoys.append(entry)
    manifest = {
        "params": params,
        "scanned": {"files": len(scanned), "lines": sum(r["lines"] for r in scanned),
                    "bytes": sum(r["bytes"] for r in scanned),
                    "generated_files": sum(r["generated"] for r in scanned),
                    "packages": len({r["path"].rsplit("/", 1)[0] for r in scanned})},
        "outside": {"files": len(results) - len(scanned)},
        "planted": sorted(expected, key=lambda e: (e["path"], e["line"])),
        "decoys": sorted(decoys, key=lambda e: (e["path"], e["line"])),
        "units": units(scanned),
    }
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    s = manifest["scanned"]
    by = Counter(e["codemod"] for e in expected)
    print(f"gen_monorepo: {out}: {s['files']} files ({s['generated_files']} generated) in "
          f"{s['packages']} packages, {s['lines']} lines, {s['bytes'] / 1e6:.1f} MB; "
          f"{len(expected)} leaks planted ({', '.join(f'{k} {by[k]}' for k in CODEMODS)}); "
          f"{len(decoys)} decoys in {manifest['outside']['files']} skipped files and generated/suppressed code",
          file=sys.stderr)
    return 0


def units(scanned):
    """Top-level units (services/<svc>, libs/<group>, tools) with their bytes, for the
    linearity check's subsets."""
    sizes = Counter()
    for r in scanned:
        parts = r["path"].split("/")
        unit = "/".join(parts[:2]) if parts[0] in ("services", "libs") else parts[0]
        sizes[unit] += r["bytes"]
    return [{"dir": u, "bytes": b} for u, b in sorted(sizes.items())]


def verify(args):
    with open(os.path.join(args.out, MANIFEST)) as f:
        manifest = json.load(f)
    cmd = [os.path.abspath(args.verify), "--check", "--format", "json", "-q", "--jobs", str(args.jobs), "."]
    proc = subprocess.run(cmd, cwd=args.out, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(f"verify: goleak-fix exited {proc.returncode}\n{proc.stderr}", file=sys.stderr)
        return 1
    report = json.loads(proc.stdout)
    found = {(f["path"], f["codemod"], f["line"]) for f in report["findings"]}
    planted = {(e["path"], e["codemod"], e["line"]) for e in manifest["planted"]}
    by_planted = Counter(c for _, c, _ in planted)
    by_found = Counter(c for _, c, _ in found)
    print(f"{'codemod':<26} {'planted':>8} {'found':>8}")
    for c in CODEMODS:
        print(f"{c:<26} {by_planted[c]:>8} {by_found[c]:>8}")
    print(f"{'total':<26} {len(planted):>8} {len(found):>8}")
    missing, extra = sorted(planted - found), sorted(found - planted)
    expected_files = manifest["scanned"]["files"] - manifest["scanned"]["generated_files"]
    scanned = report["summary"]["files_scanned"]
    print(f"files scanned: {scanned} (expected {expected_files}: {manifest['scanned']['files']} listed, "
          f"less {manifest['scanned']['generated_files']} generated)")
    for m in missing[:20]:
        print(f"  MISSED  {m[0]}:{m[2]}: {m[1]}")
    for e in extra[:20]:
        print(f"  EXTRA   {e[0]}:{e[2]}: {e[1]}")
    ok = not missing and not extra and scanned == expected_files
    print("verify: " + ("OK, every planted leak found and nothing else" if ok else
                        f"MISMATCH: {len(missing)} missed, {len(extra)} unexpected"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=20000, help="scanned .go files (default 20000)")
    ap.add_argument("--lines", type=int, default=5_200_000, help="approximate total lines (default 5.2M)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--leak-every", type=int, default=40, help="plant a leak in about 1 in N files")
    ap.add_argument("--procs", type=int, default=0, help="generator processes (default: cores)")
    ap.add_argument("--force", action="store_true", help="regenerate even if up to date")
    ap.add_argument("--verify", metavar="BIN", help="run BIN --check and compare with the plan")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs for --verify")
    args = ap.parse_args()
    if args.verify:
        return verify(args)
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
