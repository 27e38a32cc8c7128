//! What the commands print: text or JSON on stdout, ending quietly on a closed pipe.

use std::io::Write as _;

use crate::Failure;

/// Writes to stdout; a closed pipe (`desk queue | head`) ends quietly.
pub fn emit(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let result = stdout.write_all(text.as_bytes()).and_then(|()| {
        if text.ends_with('\n') {
            Ok(())
        } else {
            stdout.write_all(b"\n")
        }
    });
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// "queued" and the action's id, or its JSON.
pub fn emit_queued(action: &desk_core::outbox::Action, json: bool) -> Result<(), Failure> {
    if json {
        // The view the window gets of an action.
        emit(&serde_json::to_string_pretty(
            &desk_core::ipc::ActionView::from(action),
        )?)
    } else {
        emit(&format!("{} queued", action.id))
    }
}
