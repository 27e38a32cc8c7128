//! The blocklist view: entries of one type, newest first, a page at a time, with their values
//! masked on the way out. Adding and removing go through the outbox (`submit_blocklist`).

use serde::{Deserialize, Serialize};

use crate::desk::{Desk, DeskError};
use crate::ports::{CaseCache, CaseSource, Clock, Journal};
use crate::privacy::mask;

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

impl<S: CaseSource, T: CaseCache + Journal, C: Clock> Desk<S, T, C> {
    /// Page `page` (from 0) of the blocklist entries of `kind`, values masked.
    pub async fn blocklist_entries(
        &self,
        kind: BlocklistKind,
        page: u32,
    ) -> Result<BlocklistPage, DeskError> {
        let offset = u64::from(page) * u64::from(BLOCKLIST_PAGE);
        let mut listed = self.source.blocklist_page(kind, offset).await?;
        for entry in &mut listed.entries {
            entry.value = entry.value.as_deref().map(mask);
        }
        Ok(listed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::BlocklistSelection;
    use crate::testing::{desk, item};

    #[tokio::test]
    async fn entries_are_listed_by_type_newest_first_with_values_masked() {
        let d = desk(3);
        let email_only = BlocklistSelection {
            email: true,
            ..Default::default()
        };
        let phone_and_email = BlocklistSelection {
            phone: true,
            email: true,
            ..Default::default()
        };
        d.source
            .blocklist(&item(1).case_id, true, email_only)
            .await
            .unwrap();
        d.source
            .blocklist(&item(2).case_id, true, phone_and_email)
            .await
            .unwrap();
        let emails = d.blocklist_entries(BlocklistKind::Email, 0).await.unwrap();
        assert_eq!(emails.total, Some(2));
        let numbers: Vec<_> = emails.entries.iter().map(|e| e.case_number).collect();
        assert_eq!(numbers, vec![Some(2), Some(1)], "newest first");
        let value = emails.entries[0].value.clone().unwrap();
        assert!(
            value.contains('•') && !value.contains("@example"),
            "{value}"
        );
        let phones = d.blocklist_entries(BlocklistKind::Phone, 0).await.unwrap();
        assert_eq!(phones.entries.len(), 1);
        assert!(d
            .blocklist_entries(BlocklistKind::Face, 0)
            .await
            .unwrap()
            .entries
            .is_empty());
        assert!(d
            .blocklist_entries(BlocklistKind::Email, 1)
            .await
            .unwrap()
            .entries
            .is_empty());
    }

    #[test]
    fn kinds_parse_from_their_wire_names_only() {
        for kind in BlocklistKind::ALL {
            assert_eq!(BlocklistKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(BlocklistKind::parse("Face"), None);
        assert_eq!(BlocklistKind::parse("iris"), None);
    }
}
