//! API keys (`apiKey` system table): create (with a role), list, look up, change, revoke,
//! soft-delete.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use tessera_core::WorkspaceId;
use tessera_query::RunError;
use uuid::Uuid;

use crate::classify::classify;
use crate::{Store, StoreError};

/// A row of the `apiKey` system table. The key's token is a JWT whose `jti` is [`Self::id`];
/// the row decides whether the token is still accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// Key id (the token's `jti`).
    pub id: Uuid,
    /// Owning workspace.
    pub workspace_id: WorkspaceId,
    /// Display name (written into `createdBy.name` of records it creates).
    pub name: String,
    /// After this instant the key is refused.
    pub expires_at: DateTime<Utc>,
    /// Set when revoked; a revoked key is refused.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

impl ApiKeyRecord {
    /// Whether a request at `now` may use this key: not revoked and not expired.
    pub fn is_usable_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

const API_KEY_COLUMNS: &str =
    "\"id\", \"workspaceId\", \"name\", \"expiresAt\", \"revokedAt\", \"createdAt\", \"updatedAt\"";

impl Store {
    pub(crate) fn api_key_record(&self, row: &QueryResult) -> Result<ApiKeyRecord, StoreError> {
        let sys = self.sys();
        Ok(ApiKeyRecord {
            id: sys.get_uuid(row, "id")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            name: sys.get_text(row, "name")?,
            expires_at: sys.get_ts(row, "expiresAt")?,
            revoked_at: sys.get_opt_ts(row, "revokedAt")?,
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
        })
    }

    /// Creates an API key in `ws` (with `id`, or a fresh one).
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::ApiKeyExists`] when the
    /// workspace already has a key with this id, [`StoreError::Database`].
    pub async fn create_api_key(
        &self,
        ws: WorkspaceId,
        name: &str,
        expires_at: DateTime<Utc>,
        id: Option<Uuid>,
    ) -> Result<ApiKeyRecord, StoreError> {
        if self.workspace(ws).await?.is_none() {
            return Err(StoreError::WorkspaceNotFound(ws));
        }
        let sys = self.sys();
        let id = id.unwrap_or_else(Uuid::new_v4);
        let sql = format!(
            "INSERT INTO {} (\"id\", \"workspaceId\", \"name\", \"expiresAt\") VALUES {}",
            sys.table("apiKey"),
            sys.tuple(1, 4)
        );
        let values = vec![
            sys.uuid(id),
            sys.uuid(ws.0),
            sys.text(name),
            sys.ts(expires_at),
        ];
        if let Err(e) = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await
        {
            return Err(match classify(&e) {
                RunError::UniqueViolation { .. } => StoreError::ApiKeyExists(id),
                RunError::ForeignKeyViolation { .. } => StoreError::WorkspaceNotFound(ws),
                _ => StoreError::Database(e),
            });
        }
        self.api_key(ws, id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created API key is not readable"))
    }

    /// Creates an API key holding `role_id` (Twenty's `createApiKey`): the key and its role
    /// target in one transaction.
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`crate::RoleError::NotFound`],
    /// [`crate::RoleError::NotAssignable`], [`StoreError::Database`].
    pub async fn create_api_key_with_role(
        &self,
        ws: WorkspaceId,
        name: &str,
        expires_at: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
        role_id: Uuid,
    ) -> Result<ApiKeyRecord, StoreError> {
        if self.workspace(ws).await?.is_none() {
            return Err(StoreError::WorkspaceNotFound(ws));
        }
        self.api_key_assignable_role(ws, role_id).await?;
        let sys = self.sys();
        let id = Uuid::new_v4();
        let sql = format!(
            "INSERT INTO {} (\"id\", \"workspaceId\", \"name\", \"expiresAt\", \"revokedAt\") VALUES {}",
            sys.table("apiKey"),
            sys.tuple(1, 5)
        );
        let values = vec![
            sys.uuid(id),
            sys.uuid(ws.0),
            sys.text(name),
            sys.ts(expires_at),
            sys.opt_ts(revoked_at),
        ];
        let txn = self.backend().system().begin().await?;
        txn.execute_raw(sys.stmt(sql, values)).await?;
        self.assign_api_key_role_in(&txn, ws, id, role_id).await?;
        txn.commit().await?;
        self.api_key(ws, id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created API key is not readable"))
    }

    /// The workspace's API keys that are not deleted (revoked and expired ones included),
    /// oldest first.
    pub async fn api_keys(&self, ws: WorkspaceId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {API_KEY_COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"deletedAt\" IS NULL \
             ORDER BY \"createdAt\", \"id\"",
            sys.table("apiKey"),
            sys.p(1)
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?;
        rows.iter().map(|r| self.api_key_record(r)).collect()
    }

    /// Changes a key's name, expiry and revocation (Twenty's `updateApiKey`); `None` keeps a
    /// value. Errors: [`StoreError::ApiKeyNotFound`], [`StoreError::Database`].
    pub async fn update_api_key_values(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        name: Option<&str>,
        expires_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Result<ApiKeyRecord, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "UPDATE {} SET \"name\" = COALESCE({p1}, \"name\"), \"expiresAt\" = COALESCE({p2}, \"expiresAt\"), \
             \"revokedAt\" = COALESCE({p3}, \"revokedAt\"), \"updatedAt\" = {now} \
             WHERE \"workspaceId\" = {p4} AND \"id\" = {p5} AND \"deletedAt\" IS NULL",
            sys.table("apiKey"),
            p1 = sys.p(1),
            p2 = sys.p(2),
            p3 = sys.p(3),
            p4 = sys.p(4),
            p5 = sys.p(5),
            now = sys.now(),
        );
        let values = vec![
            sys.opt_text(name),
            sys.opt_ts(expires_at),
            sys.opt_ts(revoked_at),
            sys.uuid(ws.0),
            sys.uuid(id),
        ];
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::ApiKeyNotFound(id));
        }
        self.api_key(ws, id)
            .await?
            .ok_or(StoreError::ApiKeyNotFound(id))
    }

    /// The key `id` of workspace `ws`, unless missing or soft-deleted (revoked and expired keys
    /// are returned; check [`ApiKeyRecord::is_usable_at`]).
    pub async fn api_key(
        &self,
        ws: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {API_KEY_COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("apiKey"),
            sys.p(1),
            sys.p(2)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(id)]))
            .await?;
        row.map(|r| self.api_key_record(&r)).transpose()
    }

    /// Revokes the key (sets `revokedAt` to now, once). Errors: [`StoreError::ApiKeyNotFound`].
    pub async fn revoke_api_key(&self, ws: WorkspaceId, id: Uuid) -> Result<(), StoreError> {
        let now = self.sys().now();
        self.update_api_key(
            ws,
            id,
            &format!("\"revokedAt\" = COALESCE(\"revokedAt\", {now}), \"updatedAt\" = {now}"),
        )
        .await
    }

    /// Soft-deletes the key (sets `deletedAt`); its tokens stop working.
    /// Errors: [`StoreError::ApiKeyNotFound`].
    pub async fn delete_api_key(&self, ws: WorkspaceId, id: Uuid) -> Result<(), StoreError> {
        let now = self.sys().now();
        self.update_api_key(
            ws,
            id,
            &format!("\"deletedAt\" = {now}, \"updatedAt\" = {now}"),
        )
        .await
    }

    async fn update_api_key(&self, ws: WorkspaceId, id: Uuid, set: &str) -> Result<(), StoreError> {
        let sys = self.sys();
        let sql = format!(
            "UPDATE {} SET {set} WHERE \"workspaceId\" = {} AND \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("apiKey"),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(id)]))
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::ApiKeyNotFound(id));
        }
        Ok(())
    }
}
