//! Outbound webhooks (`webhook` system table; Twenty's `core.webhook`): create, list, read,
//! update, soft-delete, per workspace. URL and operation validation happen in the caller
//! (the `/metadata` resolvers and the delivery worker), not here.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{Store, StoreError};

/// A row of `webhook`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRecord {
    /// Webhook id.
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: WorkspaceId,
    /// Where events are POSTed (`http`/`https` URL).
    pub target_url: String,
    /// Event patterns `<nameSingular>.<action>` with `*` wildcards (`person.created`,
    /// `*.updated`, `*.*`).
    pub operations: Vec<String>,
    /// Free text.
    pub description: Option<String>,
    /// HMAC-SHA256 key of the signature header (empty: deliveries are not signed).
    pub secret: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
    /// Set once deleted.
    pub deleted_at: Option<DateTime<Utc>>,
}

impl WebhookRecord {
    /// Whether an event named `<object>.<action>` goes to this webhook: an operation equal to
    /// it, `*.<action>`, `<object>.*` or `*.*` — except `workflowRun.updated`, which only an
    /// exact operation matches (Twenty's `compute-webhook-operations-to-match.util.ts`).
    pub fn matches(&self, event_name: &str) -> bool {
        let Some((object, action)) = event_name.split_once('.') else {
            return false;
        };
        let exact_only = event_name == "workflowRun.updated";
        self.operations.iter().any(|op| {
            op == event_name
                || (!exact_only
                    && (*op == format!("*.{action}")
                        || *op == format!("{object}.*")
                        || op == "*.*"))
        })
    }
}

/// Changes to a webhook; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookPatch {
    /// New target URL.
    pub target_url: Option<String>,
    /// New operations.
    pub operations: Option<Vec<String>>,
    /// New description.
    pub description: Option<String>,
    /// New secret.
    pub secret: Option<String>,
}

const COLUMNS: &str = "\"id\", \"workspaceId\", \"targetUrl\", \"operations\", \"description\", \
                       \"secret\", \"createdAt\", \"updatedAt\", \"deletedAt\"";

impl Store {
    fn webhook_record(&self, row: &QueryResult) -> Result<WebhookRecord, StoreError> {
        let sys = self.sys();
        let operations = sys.get_json(row, "operations")?.unwrap_or_default();
        Ok(WebhookRecord {
            id: sys.get_uuid(row, "id")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            target_url: sys.get_text(row, "targetUrl")?,
            operations: serde_json::from_value(operations)
                .map_err(|e| StoreError::corrupt(format!("webhook operations: {e}")))?,
            description: sys.get_opt_text(row, "description")?,
            secret: sys.get_text(row, "secret")?,
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
            deleted_at: sys.get_opt_ts(row, "deletedAt")?,
        })
    }

    /// Creates a webhook in `ws` with `id` (or a fresh one) and returns it.
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`]; [`StoreError::Run`] with a unique
    /// violation when the id is taken; [`StoreError::Database`].
    pub async fn create_webhook(
        &self,
        ws: WorkspaceId,
        id: Option<Uuid>,
        target_url: &str,
        operations: &[String],
        description: Option<&str>,
        secret: &str,
    ) -> Result<WebhookRecord, StoreError> {
        if self.workspace(ws).await?.is_none() {
            return Err(StoreError::WorkspaceNotFound(ws));
        }
        let sys = self.sys();
        let id = id.unwrap_or_else(Uuid::new_v4);
        let sql = format!(
            "INSERT INTO {} (\"id\", \"workspaceId\", \"targetUrl\", \"operations\", \
             \"description\", \"secret\") VALUES {}",
            sys.table("webhook"),
            sys.tuple(1, 6)
        );
        let ops = serde_json::Value::from(operations.to_vec());
        let values = vec![
            sys.uuid(id),
            sys.uuid(ws.0),
            sys.text(target_url),
            sys.json(Some(&ops)),
            sys.opt_text(description),
            sys.text(secret),
        ];
        if let Err(e) = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await
        {
            return Err(StoreError::Run(crate::classify::classify(&e)));
        }
        self.webhook(ws, id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created webhook is not readable"))
    }

    /// The webhook `id` of `ws`, unless missing or deleted. Errors: [`StoreError::Database`].
    pub async fn webhook(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"id\" = {} \
             AND \"deletedAt\" IS NULL",
            sys.table("webhook"),
            sys.p(1),
            sys.p(2)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(id)]))
            .await?;
        row.map(|r| self.webhook_record(&r)).transpose()
    }

    /// Every live webhook of `ws`, oldest first. Errors: [`StoreError::Database`].
    pub async fn webhooks(&self, ws: WorkspaceId) -> Result<Vec<WebhookRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"deletedAt\" IS NULL \
             ORDER BY \"createdAt\", \"id\"",
            sys.table("webhook"),
            sys.p(1)
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?;
        rows.iter().map(|r| self.webhook_record(r)).collect()
    }

    /// Applies `patch` to webhook `id` of `ws`; `None` when there is no such live webhook.
    /// Errors: [`StoreError::Database`].
    pub async fn update_webhook(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        patch: &WebhookPatch,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        let sys = self.sys();
        let mut sets = vec![format!("\"updatedAt\" = {}", sys.now())];
        let mut values = vec![sys.uuid(ws.0), sys.uuid(id)];
        let ops = patch
            .operations
            .as_ref()
            .map(|o| serde_json::Value::from(o.clone()));
        for (column, value) in [
            (
                "targetUrl",
                patch.target_url.as_deref().map(|s| sys.text(s)),
            ),
            ("operations", ops.as_ref().map(|o| sys.json(Some(o)))),
            (
                "description",
                patch.description.as_deref().map(|s| sys.text(s)),
            ),
            ("secret", patch.secret.as_deref().map(|s| sys.text(s))),
        ] {
            if let Some(value) = value {
                values.push(value);
                sets.push(format!("\"{column}\" = {}", sys.p(values.len())));
            }
        }
        let sql = format!(
            "UPDATE {} SET {} WHERE \"workspaceId\" = {} AND \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("webhook"),
            sets.join(", "),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await?;
        if result.rows_affected() == 0 {
            return Ok(None);
        }
        self.webhook(ws, id).await
    }

    /// Soft-deletes webhook `id` of `ws` (no more deliveries are queued for it) and returns it
    /// as it was before; `None` when there is no such live webhook.
    /// Errors: [`StoreError::Database`].
    pub async fn delete_webhook(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<WebhookRecord>, StoreError> {
        let Some(before) = self.webhook(ws, id).await? else {
            return Ok(None);
        };
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"deletedAt\" = {now}, \"updatedAt\" = {now} \
             WHERE \"workspaceId\" = {} AND \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("webhook"),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(id)]))
            .await?;
        Ok((result.rows_affected() > 0).then_some(before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(ops: &[&str]) -> WebhookRecord {
        WebhookRecord {
            id: Uuid::nil(),
            workspace_id: WorkspaceId(Uuid::nil()),
            target_url: String::new(),
            operations: ops.iter().map(|s| (*s).to_owned()).collect(),
            description: None,
            secret: String::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            deleted_at: None,
        }
    }

    #[test]
    fn operations_match_like_twenty() {
        assert!(hook(&["person.created"]).matches("person.created"));
        assert!(!hook(&["person.created"]).matches("person.updated"));
        assert!(hook(&["*.updated"]).matches("company.updated"));
        assert!(!hook(&["*.updated"]).matches("company.created"));
        assert!(hook(&["person.*"]).matches("person.deleted"));
        assert!(!hook(&["person.*"]).matches("company.deleted"));
        assert!(hook(&["*.*"]).matches("note.restored"));
        assert!(!hook(&["*.*"]).matches("workflowRun.updated"));
        assert!(hook(&["workflowRun.updated"]).matches("workflowRun.updated"));
        assert!(!hook(&["*.*"]).matches("nodot"));
    }
}
