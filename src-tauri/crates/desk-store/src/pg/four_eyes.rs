//! Four-eyes on the team store (desk-core's `FourEyes`): the team's rules, the questions
//! desks ask and the answers other desks give.

use desk_core::ports::StoreError;

use super::PgStore;

type LookRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<String>,
);

const LOOK_COLUMNS: &str = "action_id, case_id, kind, rule, requested_by, reason_id, comment, \
     requested_at, answered_by, confirmed, note, answered_at";

fn look_of(row: LookRow) -> Result<desk_core::four_eyes::SecondLook, StoreError> {
    use desk_core::four_eyes::{Answer, FourEyesRule, SecondLook};
    let (action_id, case_id, kind, rule, requested_by, reason_id, comment, requested_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let answer = match (row.8, row.9, row.11) {
        (Some(by), Some(confirmed), Some(at)) => Some(Answer {
            by,
            confirmed,
            note: row.10,
            at,
        }),
        _ => None,
    };
    Ok(SecondLook {
        action_id,
        case_id,
        kind: desk_core::outbox::ActionKind::parse(&kind)
            .ok_or_else(|| StoreError::Failed(format!("unknown action kind {kind:?}")))?,
        rule: FourEyesRule::parse(&rule)
            .ok_or_else(|| StoreError::Failed(format!("unknown four-eyes rule {rule:?}")))?,
        requested_by,
        reason_id,
        comment,
        requested_at,
        answer,
    })
}

impl PgStore {
    /// One action's question for a second reviewer, answered or not.
    async fn look(
        &self,
        action_id: &str,
    ) -> Result<Option<desk_core::four_eyes::SecondLook>, StoreError> {
        self.within(async {
            let row: Option<LookRow> = sqlx::query_as(&format!(
                "SELECT {LOOK_COLUMNS} FROM second_looks WHERE action_id = $1"
            ))
            .bind(action_id)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            row.map(look_of).transpose()
        })
        .await
    }
}

impl desk_core::four_eyes::FourEyes for PgStore {
    async fn policy(&self) -> Result<Vec<desk_core::four_eyes::FourEyesRule>, StoreError> {
        self.within(async {
            let value: Option<String> =
                sqlx::query_scalar("SELECT value FROM team_settings WHERE key = 'four_eyes'")
                    .fetch_optional(self.pool().await?)
                    .await
                    .map_err(|e| self.failed(e))?;
            Ok(value
                .unwrap_or_default()
                .split(',')
                .filter_map(desk_core::four_eyes::FourEyesRule::parse)
                .collect())
        })
        .await
    }

    async fn set_policy(
        &self,
        rules: &[desk_core::four_eyes::FourEyesRule],
    ) -> Result<(), StoreError> {
        self.within(async {
            let value = rules
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",");
            self.within(async {
                sqlx::query("SELECT desk_set_policy($1)")
                    .bind(value)
                    .execute(self.pool().await?)
                    .await
                    .map_err(|e| self.failed(e))?;
                Ok(())
            })
            .await
        })
        .await
    }

    async fn ask(&self, look: &desk_core::four_eyes::SecondLook) -> Result<(), StoreError> {
        self.within(async {
            // Asked as the member the session is (the server names them, not the desk).
            self.within(async {
                sqlx::query("SELECT desk_ask($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&look.action_id)
                    .bind(&look.case_id)
                    .bind(look.kind.as_str())
                    .bind(look.rule.as_str())
                    .bind(&look.reason_id)
                    .bind(&look.comment)
                    .bind(&look.requested_at)
                    .execute(self.pool().await?)
                    .await
                    .map_err(|e| self.failed(e))?;
                Ok(())
            })
            .await
        })
        .await
    }

    async fn answer_of(
        &self,
        action_id: &str,
    ) -> Result<Option<desk_core::four_eyes::Answer>, StoreError> {
        self.within(async { Ok(self.look(action_id).await?.and_then(|l| l.answer)) })
            .await
    }

    async fn answer(
        &self,
        action_id: &str,
        answer: &desk_core::four_eyes::Answer,
    ) -> Result<
        Result<desk_core::four_eyes::SecondLook, desk_core::four_eyes::AnswerRefused>,
        StoreError,
    > {
        self.within(async {
            use desk_core::four_eyes::AnswerRefused as R;
            // The server refuses the member who asked and a second answer, and names who answers.
            let row: Option<LookRow> = sqlx::query_as(&format!(
                "SELECT {LOOK_COLUMNS} FROM desk_answer($1, $2, $3, $4)"
            ))
            .bind(action_id)
            .bind(answer.confirmed)
            .bind(&answer.note)
            .bind(&answer.at)
            .fetch_optional(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            if let Some(row) = row {
                return Ok(Ok(look_of(row)?));
            }
            Ok(Err(match self.look(action_id).await? {
                None => R::Unknown(action_id.to_owned()),
                Some(l) => match l.answer {
                    Some(a) => R::Answered(a.by),
                    None => R::OwnAction,
                },
            }))
        })
        .await
    }

    async fn pending(&self) -> Result<Vec<desk_core::four_eyes::SecondLook>, StoreError> {
        self.within(async {
            let rows: Vec<LookRow> = sqlx::query_as(&format!(
                "SELECT {LOOK_COLUMNS} FROM second_looks WHERE answered_by IS NULL ORDER BY requested_at"
            ))
            .fetch_all(self.pool().await?)
            .await
            .map_err(|e| self.failed(e))?;
            rows.into_iter().map(look_of).collect()
        })
        .await
    }
}
