//! `timeout-leak`. What it does, why it leaks, an example, the fix and its safety, and when it stays
//! silent are documented once, in `codemods/timeout-leak/README.md` (what `--explain` prints).
//!
//! How the check is organised: the shared check of `one_shot` (a one-shot sender started
//! once, the parent's wait); this file keeps the parent waits that are a `select` that can
//! give up, and words the finding.

use super::one_shot::{Leak, ParentWait, check_single_sender};
use super::work_after_send::check_work_after_send;
use super::{Codemod, CodemodContext, Finding};

pub struct TimeoutLeak;

impl Codemod for TimeoutLeak {
    fn id(&self) -> &'static str {
        "timeout-leak"
    }

    fn summary(&self) -> &'static str {
        "a select gives up on a goroutine's result (timeout, ctx.Done(), default); the sender blocks forever"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/timeout-leak/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        check_single_sender(context, self.id(), findings, |channel, sender, wait| {
            let ParentWait::Select(case) = wait else {
                return None;
            };
            let name = &channel.name;
            let alternative = if case.has_default {
                "its `default`"
            } else {
                "another case"
            };
            let select = match case.callee {
                None => format!(
                    "the select at line {}",
                    context.line_of(case.select.start_byte())
                ),
                Some(callee) => {
                    let file = &context.package.files[callee.file].source;
                    let line = file.line_column(case.select.start_byte()).line;
                    let place = if callee.file == context.facts.file {
                        format!("line {line}")
                    } else {
                        format!("{}:{line}", file.display_path)
                    };
                    format!(
                        "the select of `{}` (called at line {}, select at {place})",
                        callee.function,
                        context.line_of(case.site.start_byte())
                    )
                }
            };
            Some(Leak {
                message: format!(
                    "{} on unbuffered channel `{name}`, but {select} can take {alternative} and move on; the send then blocks forever",
                    sender.started_at(context),
                ),
                fix_description: format!(
                    "give `{name}` a buffer of {} so the send completes after the select gives up",
                    sender.sends_per_call
                ),
            })
        });
        check_work_after_send(context, self.id(), findings, |wait| match wait {
            ParentWait::Select(case) if case.callee.is_none() => Some(format!(
                "the select at line {} can take another case and move on",
                context.line_of(case.select.start_byte())
            )),
            _ => None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;

    const WAIT: &str = "func wait(ctx context.Context, c <-chan int) int {\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n\n";

    #[test]
    fn a_called_function_that_selects_on_the_channel_is_where_the_parent_gives_up() {
        let before = format!(
            "{WAIT}func f(ctx context.Context) int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\treturn wait(ctx, c)\n}}\n"
        );
        assert_fix(
            &before,
            &before.replace("c := make(chan int)", "c := make(chan int, 1)"),
        );
        let message = &findings(&before)[0].message;
        assert!(
            message.contains("the select of `wait` (called at line 25, select at line 14)"),
            "{message}"
        );
    }

    #[test]
    fn called_receivers_that_always_receive_or_are_retried_are_silent() {
        // A callee that receives before anything can return; a retried call in a loop.
        assert_silent(
            "func recv(c <-chan int) int {\n\tv := <-c\n\treturn v\n}\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn recv(c)\n}\n",
        );
        assert_silent(&format!(
            "{WAIT}func f(ctx context.Context) int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\tfor {{\n\t\tif v := wait(ctx, c); v != 0 {{\n\t\t\treturn v\n\t\t}}\n\t}}\n}}\n"
        ));
    }

    #[test]
    fn a_callee_receives_on_every_path_wherever_the_receive_is_nested() {
        // The receive is in a block after an `if` that cannot leave: every path through
        // `recv` receives, so the parent's early return before the call is the leak.
        let before = "func recv(c <-chan int, debug bool) int {\n\tif debug {\n\t\tprintln()\n\t}\n\t{\n\t\tv := <-c\n\t\treturn v\n\t}\n}\n\nfunc f(fail bool) int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tif fail {\n\t\treturn 0\n\t}\n\treturn recv(c, false)\n}\n";
        assert_finding(
            before,
            "premature-return",
            Some(crate::edit::Applicability::Safe),
        );
        // One path through `recv` skips the receive: not followed, nothing said.
        assert_silent(
            &before
                .replace("\t{\n\t\tv := <-c", "\tif !debug {\n\t\tv := <-c")
                .replace("\t\treturn v\n\t}\n}", "\t\treturn v\n\t}\n\treturn 0\n}"),
        );
    }

    #[test]
    fn a_callee_that_does_more_than_receive_once_is_not_followed() {
        // It also closes the channel, or receives in a loop, or may return before receiving:
        // the channel escapes, and nothing is said.
        for callee in [
            "func wait(ctx context.Context, c chan int) int {\n\tdefer close(c)\n\treturn <-c\n}\n\n",
            "func wait(ctx context.Context, c chan int) int {\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\treturn v\n\t\tcase <-ctx.Done():\n\t\t}\n\t}\n}\n\n",
            "func wait(ctx context.Context, c chan int) int {\n\tif ctx == nil {\n\t\treturn 0\n\t}\n\treturn <-c\n}\n\n",
        ] {
            assert_silent(&format!(
                "{callee}func f(ctx context.Context) int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\treturn wait(ctx, c)\n}}\n"
            ));
        }
    }

    #[test]
    fn buffers_a_result_the_select_can_abandon() {
        assert_fix(
            "func f(ctx context.Context) int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n",
            "func f(ctx context.Context) int {\n\tc := make(chan int, 1)\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n",
        );
    }

    #[test]
    fn silent_when_the_timeout_case_still_waits_for_the_value() {
        assert_silent(
            "func f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn <-c\n\t}\n}\n",
        );
    }

    #[test]
    fn silent_when_the_other_case_is_the_same_senders_other_channel() {
        assert_silent(
            "func f(fail bool) (int, error) {\n\tvalues := make(chan int)\n\terrs := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\terrs <- nil\n\t\t\treturn\n\t\t}\n\t\tvalues <- 1\n\t}()\n\tselect {\n\tcase v := <-values:\n\t\treturn v, nil\n\tcase err := <-errs:\n\t\treturn 0, err\n\t}\n}\n",
        );
    }

    #[test]
    fn silent_when_the_sender_itself_selects_on_done() {
        assert_silent(
            "func f(ctx context.Context) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tselect {\n\t\tcase c <- 1:\n\t\tcase <-ctx.Done():\n\t\t}\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n",
        );
    }

    #[test]
    fn silent_when_a_loop_retries_until_it_receives() {
        assert_silent(
            "func f(t *time.Ticker) int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\treturn v\n\t\tcase <-t.C:\n\t\t}\n\t}\n}\n",
        );
    }
}
