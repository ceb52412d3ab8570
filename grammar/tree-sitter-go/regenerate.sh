#!/usr/bin/env bash
# Regenerate src/ (parser.c, grammar.json, node-types.json, tree_sitter/*.h)
# from grammar.js with the tree-sitter CLI.
#
# Required CLI: tree-sitter-cli 0.27.1 (ABI 15), installed with
#     cargo install tree-sitter-cli --version 0.27.1 --locked
# The generated files differ between CLI versions, so another version is
# refused unless TS_ALLOW_OTHER_CLI=1 is set.
#
# Usage: ./regenerate.sh [--test]
#   --test  also run the corpus tests (test/corpus/*.txt) against the new parser
#
# The grammar is evaluated with the CLI's built-in QuickJS runtime by default
# (no node needed; node gives byte-identical output). Override with
# TREE_SITTER_JS_RUNTIME=node.
set -euo pipefail

REQUIRED_CLI_VERSION=0.27.1
ABI=15

cd "$(dirname "$0")"

if ! command -v tree-sitter >/dev/null 2>&1; then
    echo "error: the tree-sitter CLI is not installed. Install it with:" >&2
    echo "    cargo install tree-sitter-cli --version $REQUIRED_CLI_VERSION --locked" >&2
    exit 1
fi

have=$(tree-sitter --version | awk '{print $2}')
if [ "$have" != "$REQUIRED_CLI_VERSION" ]; then
    if [ "${TS_ALLOW_OTHER_CLI:-0}" = 1 ]; then
        echo "warning: tree-sitter CLI $have, expected $REQUIRED_CLI_VERSION; continuing (TS_ALLOW_OTHER_CLI=1)" >&2
    else
        echo "error: tree-sitter CLI $have found, $REQUIRED_CLI_VERSION required. Install it with:" >&2
        echo "    cargo install tree-sitter-cli --version $REQUIRED_CLI_VERSION --locked" >&2
        echo "(or set TS_ALLOW_OTHER_CLI=1 to use $have anyway)" >&2
        exit 1
    fi
fi

# Expected on stderr, as for upstream 0.25.0:
#   Warning: rule `_type` is both a supertype and inlined. the supertype is ignored.
start=$(date +%s)
tree-sitter generate --abi "$ABI" --js-runtime "${TREE_SITTER_JS_RUNTIME:-native}" grammar.js
end=$(date +%s)

if ! grep -q "^#define LANGUAGE_VERSION $ABI\$" src/parser.c; then
    echo "error: src/parser.c does not declare LANGUAGE_VERSION $ABI" >&2
    exit 1
fi
echo "generated src/ in $((end - start))s with tree-sitter $have (ABI $ABI):"
grep -E '^#define (STATE_COUNT|SYMBOL_COUNT) ' src/parser.c
ls -l src/parser.c src/grammar.json src/node-types.json

if [ "${1:-}" = "--test" ]; then
    # -p . forces a rebuild: without it the CLI may reuse a cached go.so
    # compiled from another checkout of a grammar named "go".
    tree-sitter test -p .
fi
