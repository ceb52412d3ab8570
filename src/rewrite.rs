//! Building the two kinds of edit every codemod makes: resizing a `make(chan ...)` and inserting
//! a statement on its own line after another statement.

use crate::edit::Edit;
use crate::facts::{Capacity, Channel};
use crate::source::{end_of_line_after, indentation_at};
use crate::syntax::enclosing_statement;
use tree_sitter::Node;

/// The edit that gives `channel` the buffer `size`:
///
/// ```text
/// make(chan T)      -> make(chan T, size)     (insert ", size" after the type)
/// make(chan T, 0)   -> make(chan T, size)     (replace the literal 0)
/// ```
///
/// The type is left byte for byte, so a multi-line `chan struct{ ... }` keeps its layout.
/// Returns `None` for a channel that is already buffered.
pub fn capacity_edit(channel: &Channel, size: &str) -> Option<Edit> {
    match channel.capacity {
        Capacity::Unbuffered { zero: Some(zero) } => {
            Some(Edit::replacement(zero.byte_range(), size))
        }
        Capacity::Unbuffered { zero: None } => Some(Edit::insertion(
            channel.channel_type.end_byte(),
            format!(", {size}"),
        )),
        Capacity::Buffered(_) => None,
    }
}

/// The edit that puts `statement_text` on a new line after the statement holding `anchor`,
/// at that statement's indentation and with the file's line ending at that point:
///
/// ```text
/// \tfor _, r := range records {        \tfor _, r := range records {
/// \t\tinput <- r                 ->    \t\tinput <- r
/// \t} // all sent⏎                     \t} // all sent⏎
///                                      \tclose(input)⏎
/// ```
///
/// The new line goes after any trailing comment, so the comment stays with the loop. Returns
/// `None` when other code follows on the same line (`}; next()`): there is no clean place.
pub fn insert_line_after(source: &str, anchor: Node, statement_text: &str) -> Option<Edit> {
    let statement = enclosing_statement(anchor).unwrap_or(anchor);
    let (at, line_ending) = end_of_line_after(source, statement.end_byte())?;
    let indentation = indentation_at(source, statement.start_byte());
    Some(Edit::insertion(
        at,
        format!("{line_ending}{indentation}{statement_text}"),
    ))
}

/// `defer close(c)` on the line after the channel's declaration.
pub fn insert_after_declaration(
    source: &str,
    channel: &Channel,
    statement_text: &str,
) -> Option<Edit> {
    insert_line_after(source, channel.declaration, statement_text)
}
