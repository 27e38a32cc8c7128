//! The provider's blocklist as the desk reads it: what an entry blocks, an entry, a page.

use serde::{Deserialize, Serialize};

/// What a blocklist entry blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BlocklistKind {
    Face,
    Document,
    Phone,
    Email,
}

impl BlocklistKind {
    pub const ALL: [BlocklistKind; 4] = [Self::Face, Self::Document, Self::Phone, Self::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Face => "face",
            Self::Document => "document",
            Self::Phone => "phone",
            Self::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One entry as the provider lists it (never a media field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlocklistEntry {
    pub kind: BlocklistKind,
    /// The session it was blocklisted from.
    pub case_id: Option<String>,
    pub case_number: Option<i64>,
    pub blocklisted_at: Option<String>,
    /// The blocked document number, phone or email; a face has none.
    pub value: Option<String>,
}

/// One page of entries, and how many there are of that type (when the provider says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlocklistPage {
    pub entries: Vec<BlocklistEntry>,
    pub total: Option<u64>,
}

/// Entries per page, as the provider pages them.
pub const BLOCKLIST_PAGE: u32 = 20;
