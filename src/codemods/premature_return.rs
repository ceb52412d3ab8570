//! `premature-return`. What it does, why it leaks, an example, the fix and its safety, and when it stays
//! silent are documented once, in `codemods/premature-return/README.md` (what `--explain` prints).
//!
//! How the check is organised: the shared check of `one_shot` (a one-shot sender started
//! once, the parent's wait); this file keeps the parent waits that can return before receiving
//! and words the finding.

use super::one_shot::{Leak, ParentWait, check_single_sender};
use super::work_after_send::check_work_after_send;
use super::{Codemod, CodemodContext, Finding};

pub struct PrematureReturn;

impl Codemod for PrematureReturn {
    fn id(&self) -> &'static str {
        "premature-return"
    }

    fn summary(&self) -> &'static str {
        "a goroutine sends once on an unbuffered channel; the function can return before receiving"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/premature-return/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        check_single_sender(context, self.id(), findings, |channel, sender, wait| {
            let ParentWait::CanLeave { exit } = wait else {
                return None;
            };
            let name = &channel.name;
            let why = match exit {
                Some(exit) => format!(
                    "the function can return at line {} before receiving",
                    context.line_of(exit.start_byte())
                ),
                None if sender.receives.is_empty() => {
                    "the function never receives from it".to_string()
                }
                None => "the function does not receive from it on every path".to_string(),
            };
            Some(Leak {
                message: format!(
                    "{} on unbuffered channel `{name}`, but {why}; the send then blocks forever",
                    sender.started_at(context),
                ),
                fix_description: format!(
                    "give `{name}` a buffer of {} so the send never blocks",
                    sender.sends_per_call
                ),
            })
        });
        check_work_after_send(context, self.id(), findings, |wait| match wait {
            ParentWait::CanLeave { exit: Some(exit) } => Some(format!(
                "the function can return at line {} before receiving",
                context.line_of(exit.start_byte())
            )),
            ParentWait::CanLeave { exit: None } => {
                Some("the function does not receive from it on every path".to_string())
            }
            _ => None,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    /// The one finding on `body` is premature-return's, and its message says `words`.
    fn assert_says(body: &str, words: &str) {
        let found = findings(body);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].codemod, "premature-return");
        assert!(found[0].message.contains(words), "{}", found[0].message);
    }

    #[test]
    fn buffers_a_channel_the_function_can_return_before_reading() {
        assert_fix(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "func f(early bool) error {\n\tc := make(chan error, 1)\n\tgo func() { c <- nil }()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn a_send_then_a_close_of_the_same_channel_keeps_a_safe_fix() {
        assert_fix(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t\tclose(c)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "func f(early bool) error {\n\tc := make(chan error, 1)\n\tgo func() {\n\t\tc <- nil\n\t\tclose(c)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn work_between_the_send_and_the_close_gets_the_stop_channel_not_a_buffer() {
        // A buffer would let `work` run after the function gave up, where before it never ran;
        // the stop channel makes the sender return exactly where it would block forever.
        assert_fix(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t\twork()\n\t\tclose(c)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "func f(early bool) error {\n\tc := make(chan error)\n\tdone := make(chan struct{})\n\tdefer close(done)\n\tgo func() {\n\t\tselect {\n\t\tcase c <- nil:\n\t\tcase <-done:\n\t\t\treturn\n\t\t}\n\t\twork()\n\t\tclose(c)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
        let found = findings(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t\twork()\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
        assert!(
            found[0]
                .message
                .contains("and then does more work, but the function can return at line 20"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn only_a_close_of_the_sent_channel_may_follow_the_send() {
        // A close of another channel after the send is work the buffer would let run early:
        // the stop channel instead, with its message.
        let found = findings(
            "func f(early bool) error {\n\tc := make(chan error)\n\td := make(chan error, 1)\n\tgo func() {\n\t\tc <- nil\n\t\tclose(d)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\t<-d\n\treturn <-c\n}\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let fix = found[0].fix.as_ref().expect("a fix");
        assert!(
            fix.description
                .contains("a select that returns once `done` is closed"),
            "{}",
            fix.description
        );
        // In a branch, a block's own `c` is another channel; the close after the `if` is ours.
        assert_finding(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif early {\n\t\t\tc := make(chan error, 1)\n\t\t\tc <- nil\n\t\t} else {\n\t\t\tc <- nil\n\t\t}\n\t\tclose(c)\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "premature-return",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_sender_that_defers_gets_an_unsafe_fix() {
        assert_finding(
            "func f(early bool, mu *sync.Mutex) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tmu.Lock()\n\t\tdefer mu.Unlock()\n\t\tc <- nil\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "premature-return",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn a_sender_that_only_defers_closing_the_same_channel_keeps_a_safe_fix() {
        assert_finding(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tdefer close(c)\n\t\tif err := work(); err != nil {\n\t\t\tc <- err\n\t\t}\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "premature-return",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_sender_deferring_the_close_of_another_channel_stays_unsafe() {
        // Buffered, `out`'s value could still be waiting when `errs` is closed, and the
        // select could take the closed `errs` instead.
        assert_finding(
            "func f(timeout <-chan time.Time) (int, error) {\n\tout := make(chan int)\n\terrs := make(chan error, 1)\n\tgo func() {\n\t\tdefer close(errs)\n\t\tout <- 42\n\t}()\n\tselect {\n\tcase v := <-out:\n\t\treturn v, nil\n\tcase err := <-errs:\n\t\treturn 0, err\n\tcase <-timeout:\n\t\treturn 0, nil\n\t}\n}\n",
            "timeout-leak",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn t_fatal_leaves_the_test_before_it_receives() {
        assert_finding(
            "func f(t interface{ Fatal(...any) }, ok bool) {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tif !ok {\n\t\tt.Fatal(\"boom\")\n\t}\n\t<-c\n}\n",
            "premature-return",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_return_before_the_select_is_the_leak_not_the_select() {
        // The select's other case is followed by a receive on every path, but the `return`
        // before the select leaves with the sender still blocked.
        assert_says(
            "func f(other chan error, fail bool) error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tif fail {\n\t\treturn nil\n\t}\n\tselect {\n\tcase <-other:\n\tcase <-c:\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "can return at line 17",
        );
    }

    #[test]
    fn a_return_between_a_select_and_the_receive_after_it_is_the_leak() {
        assert_says(
            "func f(other chan error, fail bool) error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tselect {\n\tcase <-other:\n\tcase <-c:\n\t\treturn nil\n\t}\n\tif fail {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "can return at line 22",
        );
    }

    #[test]
    fn a_sender_that_does_more_after_sending_gets_a_safe_stop_channel() {
        // With a buffer, `*done = true` would no longer wait for the receive.
        assert_finding(
            "func f(early bool, done *bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t\t*done = true\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
            "premature-return",
            Some(Applicability::Safe),
        );
        // The function always receives: nothing to say.
        assert_silent(
            "func f(done *bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t\t*done = true\n\t}()\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn silent_when_the_sender_sends_twice_or_in_a_loop() {
        assert_silent(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tfor i := 0; i < 2; i++ {\n\t\t\tc <- nil\n\t\t}\n\t}()\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn silent_when_the_channel_escapes_or_is_shadowed() {
        assert_silent(
            "func f(early bool) chan error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tif early {\n\t\treturn nil\n\t}\n\treturn c\n}\n",
        );
        assert_silent(
            "func f(early bool, sink func(chan error)) error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tsink(c)\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
        assert_silent(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func(c chan error) { c <- nil }(make(chan error))\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn silent_when_the_parent_receives_in_every_branch() {
        assert_silent(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo func() { c <- nil }()\n\tif early {\n\t\t<-c\n\t\treturn nil\n\t} else {\n\t\treturn <-c\n\t}\n}\n",
        );
    }

    #[test]
    fn a_return_in_a_branch_that_starts_no_goroutine_is_not_a_way_out() {
        // The other branch of the `if` (the other case of the `select`, of the `switch`)
        // returns, but only the first starts the sender, which then is received from. (Read
        // by position alone, the `return 0` lay between the start and the receive.)
        let start = "\t\tgo func() { c <- 1 }()\n";
        let branches = [
            format!("\tif a {{\n{start}\t}} else {{\n"),
            format!("\tselect {{\n\tcase <-x:\n{start}\tcase <-y:\n"),
            format!("\tswitch k {{\n\tcase 1:\n{start}\tcase 2:\n"),
        ];
        let function = |branches: &str| {
            format!(
                "func f(a bool, k int, x, y chan bool) int {{\n\tc := make(chan int)\n{branches}\t\treturn 0\n\t}}\n\treturn <-c\n}}\n"
            )
        };
        for branch in &branches {
            assert_silent(&function(branch));
        }
        // A `fallthrough` runs the next case after the start: its `return` is a way out.
        let falls = function(&branches[2].replace("\tcase 2", "\t\tfallthrough\n\tcase 2"));
        assert_says(&falls, "can return at line 20 before");
    }

    #[test]
    fn a_return_after_a_plain_receive_strands_nobody() {
        // The shape of a zone transfer handler: the parent may receive in a select inside
        // its send loop, or takes the one value plainly before it returns; later, it waits
        // again. No return can leave with the value untaken.
        let shape = |take: &str| {
            format!(
                "func f(xs []int, out chan int, once bool) error {{
	errc := make(chan error)
	go func() {{
		errc <- work()
		close(errc)
	}}()
	for _, x := range xs {{
		select {{
		case out <- x:
		case err := <-errc:
			return err
		}}
	}}
	if once {{
{take}		return nil
	}}
	close(out)
	return <-errc
}}
"
            )
        };
        // The receive first in the block, or in the `if` header that holds the return.
        assert_silent(&shape(
            "		err := <-errc
		if err != nil {
			return err
		}
",
        ));
        assert_silent(&shape(
            "		if err := <-errc; err != nil {
			return err
		}
",
        ));
        // A receive that comes after the return, or that a `goto` can jump past, does not.
        assert_says(
            &shape(
                "		if len(xs) == 0 {
			return nil
		}
		<-errc
",
            ),
            "can return at line 28 before",
        );
        assert_says(
            &shape(
                "		goto skip
		<-errc
	skip:
",
            ),
            "can return at line 27 before",
        );
    }

    #[test]
    fn the_way_out_named_is_one_that_can_follow_the_start_before_the_receive() {
        // The parent retries its select until it receives; the only `return` before it lies
        // in the branch that starts no sender.
        assert_silent(
            "func f(a bool, tick chan bool) int {\n\tc := make(chan int)\n\tif a {\n\t\tgo func() { c <- 1 }()\n\t} else {\n\t\treturn 0\n\t}\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\treturn v\n\t\tcase <-tick:\n\t\t}\n\t}\n}\n",
        );
        // `return <-c` receives before it returns: not the way out (that is the `return 0`
        // after the `if`, past the receive).
        assert_says(
            "func f(x bool) int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tif x {\n\t\treturn <-c\n\t}\n\treturn 0\n}\n",
            "the function does not receive from it on every path",
        );
    }

    #[test]
    fn a_go_call_to_an_unknown_function_is_an_escape() {
        assert_silent(
            "func f(early bool) error {\n\tc := make(chan error)\n\tgo elsewhere.Run(c)\n\tif early {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n",
        );
    }
}
