//! The Blocklist view's entries, masked.

use crate::blocklist::{BlocklistKind, BlocklistPage, BLOCKLIST_PAGE};
use crate::privacy::shown;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One blocklist entry in the Blocklist view; the value arrives masked from the use case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlocklistEntryView {
    pub kind: BlocklistKind,
    pub case_id: Option<String>,
    #[ts(type = "number | null")]
    pub case_number: Option<i64>,
    pub blocklisted_at: Option<String>,
    pub value_masked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BlocklistPageView {
    pub entries: Vec<BlocklistEntryView>,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub page: u32,
    pub page_size: u32,
}

impl BlocklistPageView {
    pub fn build(listed: BlocklistPage, page: u32) -> Self {
        Self {
            entries: listed
                .entries
                .into_iter()
                .map(|e| BlocklistEntryView {
                    kind: e.kind,
                    case_id: e.case_id.map(|id| shown(&id).into_owned()),
                    case_number: e.case_number,
                    blocklisted_at: e.blocklisted_at,
                    value_masked: e.value.map(|v| shown(&v).into_owned()),
                })
                .collect(),
            total: listed.total,
            page,
            page_size: BLOCKLIST_PAGE,
        }
    }
}
