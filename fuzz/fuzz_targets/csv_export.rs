//! Any text as an audit entry's actor and comment, exported as CSV: the file reads back as
//! one row under the header, the comment comes back as written (a formula-like cell gains its
//! apostrophe), and no cell starts a formula.
#![no_main]

use desk_core::audit::{AuditDraft, AuditEntry};
use desk_core::audit_view::{neutralize, ExportFormat, ExportWriter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (actor, comment) = text
        .split_once('\u{1f}')
        .unwrap_or(("Amira <amira@dhmad.tn>", text));
    let draft = AuditDraft {
        at: "2026-12-01T09:00:00.000000Z".to_owned(),
        actor: actor.to_owned(),
        action: "decline".to_owned(),
        case_id: "00000000-0000-4000-8000-000000000001".to_owned(),
        comment: Some(comment.to_owned()),
        app_version: "0.1.0".to_owned(),
        ..AuditDraft::default()
    };
    let entry = AuditEntry::seal(draft, None);
    let mut out = Vec::new();
    let mut writer = ExportWriter::new(&mut out, ExportFormat::Csv, true).expect("a header");
    writer.write(&entry).expect("a row");
    writer.finish().expect("the end");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(out.as_slice());
    let header = reader.headers().expect("a header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .expect("a named column")
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV record")).collect();
    assert_eq!(rows.len(), 1, "one entry, one row");
    for cell in rows[0].iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a formula cell: {cell:?}"
        );
    }
    assert_eq!(&rows[0][column("comment")], neutralize(comment).as_ref());
    assert_eq!(&rows[0][column("actor")], neutralize(actor).as_ref());
});
