#!/usr/bin/env python3
"""Pathological Go shapes for goleak-fix, each at a given size: generated and adversarial
code that must cost time linear in its size (issue 16, item 5).

    bench/shapes.py OUT_DIR N     writes OUT_DIR/<shape>.go for every shape at size N

Shapes (N is the count that grows):
  many_channels       one function making N channels, each sent by a goroutine, all received
  nested_goroutines   N goroutines started inside one another; the channel sent at the bottom
  nested_closures     N closures inside one another, each reading len(c) of one channel
  nested_blocks       N blocks inside one another around a leaking channel
  deep_send           a goroutine whose one send is N blocks deep, received by the parent
  nested_parens       N parentheses around a receive, with one syntax error, then a leak
  many_functions      N functions, each a timeout leak (a large generated file)
  long_function       one function of N statements between the goroutine and its receive
  many_selects        one function making N channels, then N selects in a row, each giving up
                      on one of them: every channel's wait lies past the branches of the others
  many_branches       one function making N channels, then N `if`s, then the N receives
  wide_sends          one goroutine sending N times in one statement list
  many_callers_of_a_big_helper
                      N functions, each making a channel and waiting on it by calling one
                      helper of N statements that receives from its parameter once
  many_goroutines_of_a_big_helper
                      N functions, each making a channel and starting `go` one helper of N
                      statements that sends on its parameter once, then giving up on it
"""
import os
import sys

LEAK = (
    "func leak{i}() int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n"
    "\tselect {{\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Millisecond):\n"
    "\t\treturn 0\n\t}}\n}}\n\n"
)


def many_channels(n):
    body = "".join(f"\tc{i} := make(chan int)\n\tgo func() {{ c{i} <- {i} }}()\n" for i in range(n))
    body += "".join(f"\t_ = <-c{i}\n" for i in range(n))
    return "package p\n\nfunc f() {\n" + body + "}\n"


def nested_goroutines(n):
    return (
        "package p\n\nfunc f() {\n\tc := make(chan int)\n"
        + "\tgo func() {\n" * n
        + "\tc <- 1\n"
        + "\t}()\n" * n
        + "}\n"
    )


def nested_closures(n):
    return (
        "package p\n\nfunc f() {\n\tc := make(chan int)\n"
        + "\tfunc() {\n\t_ = len(c)\n" * n
        + "\t}()\n" * n
        + "\tgo func() { c <- 1 }()\n}\n"
    )


def nested_blocks(n):
    return (
        "package p\n\nfunc f() {\n"
        + "{\n" * n
        + "c := make(chan int)\ngo func() { c <- 1 }()\n"
        + "}\n" * n
        + "}\n"
    )


def deep_send(n):
    return (
        "package p\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() {\n"
        + "{\n" * n
        + "c <- 1\n"
        + "}\n" * n
        + "\t}()\n\treturn <-c\n}\n"
    )


def nested_parens(n):
    return (
        'package p\n\nimport "time"\n\nfunc deep() int {\n\tc := make(chan int)\n'
        "\tgo func() { c <- 1 }()\n\treturn " + "(" * n + "<-c +" + ")" * n + "\n}\n\n"
        + LEAK.format(i=0)
    )


def many_functions(n):
    return 'package p\n\nimport "time"\n\n' + "".join(LEAK.format(i=i) for i in range(n))


def long_function(n):
    return (
        'package p\n\nimport "time"\n\nfunc f() int {\n\tc := make(chan int)\n'
        "\tgo func() { c <- 1 }()\n"
        + "".join(f"\tx{i} := {i}\n\t_ = x{i}\n" for i in range(n))
        + "\tselect {\n\tcase v := <-c:\n\t\treturn v\n"
        "\tcase <-time.After(time.Millisecond):\n\t\treturn 0\n\t}\n}\n"
    )


def many_selects(n):
    body = "".join(f"\tc{i} := make(chan int)\n\tgo func() {{ c{i} <- {i} }}()\n" for i in range(n))
    body += "".join(f"\tselect {{\n\tcase <-c{i}:\n\tcase <-t:\n\t}}\n" for i in range(n))
    return "package p\n\nfunc f(t chan int) {\n" + body + "}\n"


def many_branches(n):
    body = "".join(f"\tc{i} := make(chan int)\n\tgo func() {{ c{i} <- {i} }}()\n" for i in range(n))
    body += "\tif x {\n\t\tprintln()\n\t}\n" * n
    body += "".join(f"\t<-c{i}\n" for i in range(n))
    return "package p\n\nfunc f(x bool) {\n" + body + "}\n"


def wide_sends(n):
    # One goroutine sending n times in one statement list: each send asks whether it is the
    # goroutine's last act. Answered by scanning the following siblings, that was n^2
    # (4,000 sends took 13 s); the flow answers it in constant time.
    body = "".join(f"\t\tc <- {i}\n" for i in range(n))
    return "package p\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() {\n" + body + "\t}()\n\treturn <-c\n}\n"


def makes_on_one_line(n):
    # n channels made on one line (generated code can do this): finding what each `make`
    # is assigned to looked back over the whole line before it, and collected every name
    # there (n^2 names: 40,000 makes on a 1 MB line ran out of memory).
    line = "".join(f"c{i} := make(chan int); " for i in range(n))
    return "package p\n\nfunc f() {\n\t" + line + "\n\tgo func() {}()\n}\n"


def big_helper_body(n):
    return "".join(f"\tx{i} := {i}\n\t_ = x{i}\n" for i in range(n))


def many_callers_of_a_big_helper(n):
    # What a called helper does with its channel parameter is summarised once per package, not
    # once per caller: per caller, that was a walk of the helper (n callers of an n-statement
    # helper cost n^2).
    helper = "func wait(c chan int) int {\n" + big_helper_body(n) + "\treturn <-c\n}\n\n"
    callers = "".join(
        f"func caller{i}() int {{\n\tc := make(chan int)\n\tgo func() {{ c <- {i} }}()\n"
        "\treturn wait(c)\n}\n\n"
        for i in range(n)
    )
    return "package p\n\n" + helper + callers


def many_goroutines_of_a_big_helper(n):
    # The same for a helper started with `go`: what it does with its parameter is found once.
    helper = "func send(c chan int) {\n" + big_helper_body(n) + "\tc <- 1\n}\n\n"
    starters = "".join(
        f"func starter{i}() int {{\n\tc := make(chan int)\n\tgo send(c)\n"
        "\tselect {\n\tcase v := <-c:\n\t\treturn v\n"
        "\tcase <-time.After(time.Millisecond):\n\t\treturn 0\n\t}\n}\n\n"
        for i in range(n)
    )
    return 'package p\n\nimport "time"\n\n' + helper + starters


SHAPES = [
    many_channels,
    nested_goroutines,
    nested_closures,
    nested_blocks,
    deep_send,
    nested_parens,
    many_functions,
    long_function,
    many_selects,
    many_branches,
    wide_sends,
    makes_on_one_line,
    many_callers_of_a_big_helper,
    many_goroutines_of_a_big_helper,
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    for shape in SHAPES:
        with open(os.path.join(out, shape.__name__ + ".go"), "w") as f:
            f.write(shape(n))


if __name__ == "__main__":
    main()
