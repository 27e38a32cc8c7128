//! The blocklist view: entries of one type, newest first, a page at a time, with their values
//! masked on the way out. Adding and removing go through the outbox (`submit_blocklist`).

use crate::desk::{Desk, DeskError};
pub use crate::model::blocklist::{BlocklistEntry, BlocklistKind, BlocklistPage, BLOCKLIST_PAGE};
use crate::ports::{Blocklists, CaseSource, Clock, Store};
use crate::privacy::mask;

impl<S: CaseSource, T: Store, C: Clock> Desk<S, T, C> {
    /// Page `page` (from 0) of the blocklist entries of `kind`, values masked.
    pub async fn blocklist_entries(
        &self,
        kind: BlocklistKind,
        page: u32,
    ) -> Result<BlocklistPage, DeskError> {
        let offset = u64::from(page) * u64::from(BLOCKLIST_PAGE);
        let Some(blocklists) = self.source.blocklists() else {
            // A provider without a blocklist lists no entries.
            return Ok(BlocklistPage {
                entries: vec![],
                total: Some(0),
            });
        };
        let mut listed = blocklists.blocklist_page(kind, offset).await?;
        for entry in &mut listed.entries {
            entry.value = entry.value.as_deref().map(mask);
        }
        Ok(listed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::request::BlocklistSelection;
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
