//! The `appToken` system table: refresh tokens (grouped in families, one per sign-in),
//! password-reset tokens and invitation tokens.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};
use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{Store, StoreError};

/// The kind of an application token (Twenty's `AppTokenType` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppTokenType {
    /// A refresh token: its JWT's `jti` is the row id; the row says whether it was used.
    RefreshToken,
    /// A password-reset token (the row keeps the SHA-256 hex of the secret sent by mail).
    PasswordResetToken,
    /// A personal workspace invitation (SHA-256 hex of the secret; `context.email`,
    /// `context.roleId`).
    InvitationToken,
    /// A LOGIN token (its JWT's `jti` is the row id), so it can be exchanged only once
    /// (Tessera's addition: Twenty's LOGIN tokens are reusable until they expire).
    LoginToken,
}

impl AppTokenType {
    /// The stored name, e.g. `RefreshToken`.
    pub fn as_str(self) -> &'static str {
        match self {
            AppTokenType::RefreshToken => "RefreshToken",
            AppTokenType::PasswordResetToken => "PasswordResetToken",
            AppTokenType::InvitationToken => "InvitationToken",
            AppTokenType::LoginToken => "LoginToken",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "RefreshToken" => Ok(AppTokenType::RefreshToken),
            "PasswordResetToken" => Ok(AppTokenType::PasswordResetToken),
            "InvitationToken" => Ok(AppTokenType::InvitationToken),
            "LoginToken" => Ok(AppTokenType::LoginToken),
            other => Err(StoreError::corrupt(format!(
                "unknown appToken type {other}"
            ))),
        }
    }
}

/// A row of `appToken` (the hashed `value` is never read back).
#[derive(Debug, Clone, PartialEq)]
pub struct AppTokenRecord {
    /// Token id (a refresh token's `jti`; an invitation's id in the API).
    pub id: Uuid,
    /// Kind.
    pub token_type: AppTokenType,
    /// The user it belongs to (refresh, password reset).
    pub user_id: Option<Uuid>,
    /// The workspace it belongs to (refresh tokens for a workspace, invitations).
    pub workspace_id: Option<WorkspaceId>,
    /// The sign-in session a refresh token belongs to (every rotation keeps it).
    pub family_id: Option<Uuid>,
    /// Extra data (invitations: `{"email": ..., "roleId": ...}`).
    pub context: Option<serde_json::Value>,
    /// After this instant the token is refused.
    pub expires_at: DateTime<Utc>,
    /// Set once the token was used (refresh, reset, invitation) or revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewAppToken<'a> {
    /// Kind.
    pub token_type: AppTokenType,
    /// Owner user.
    pub user_id: Option<Uuid>,
    /// Owner workspace.
    pub workspace_id: Option<WorkspaceId>,
    /// SHA-256 hex of the secret value (password reset, invitation); never the secret.
    pub value_hash: Option<&'a str>,
    /// Refresh-token family.
    pub family_id: Option<Uuid>,
    /// Extra data.
    pub context: Option<serde_json::Value>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

const TOKEN_COLUMNS: &str = "\"id\", \"type\", \"userId\", \"workspaceId\", \"familyId\", \"context\", \
     \"expiresAt\", \"revokedAt\", \"createdAt\"";

impl Store {
    fn app_token_record(&self, row: &QueryResult) -> Result<AppTokenRecord, StoreError> {
        let sys = self.sys();
        Ok(AppTokenRecord {
            id: sys.get_uuid(row, "id")?,
            token_type: AppTokenType::parse(&sys.get_text(row, "type")?)?,
            user_id: sys.get_opt_uuid(row, "userId")?,
            workspace_id: sys.get_opt_uuid(row, "workspaceId")?.map(WorkspaceId),
            family_id: sys.get_opt_uuid(row, "familyId")?,
            context: sys.get_json(row, "context")?,
            expires_at: sys.get_ts(row, "expiresAt")?,
            revoked_at: sys.get_opt_ts(row, "revokedAt")?,
            created_at: sys.get_ts(row, "createdAt")?,
        })
    }

    /// Stores a token and returns it. Errors: [`StoreError::Database`] (e.g. unknown user or
    /// workspace on PostgreSQL's foreign keys).
    pub async fn create_app_token(
        &self,
        token: NewAppToken<'_>,
    ) -> Result<AppTokenRecord, StoreError> {
        let sys = self.sys();
        let id = Uuid::new_v4();
        let sql = format!(
            "INSERT INTO {} (\"id\", \"type\", \"userId\", \"workspaceId\", \"value\", \"familyId\", \"context\", \"expiresAt\") VALUES {}",
            sys.table("appToken"),
            sys.tuple(1, 8)
        );
        let values = vec![
            sys.uuid(id),
            sys.text(token.token_type.as_str()),
            sys.opt_uuid(token.user_id),
            sys.opt_uuid(token.workspace_id.map(|w| w.0)),
            sys.opt_text(token.value_hash),
            sys.opt_uuid(token.family_id),
            sys.json(token.context.as_ref()),
            sys.ts(token.expires_at),
        ];
        self.backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await?;
        self.app_token(id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created appToken is not readable"))
    }

    /// The non-deleted token with this id (used, revoked and expired ones included).
    pub async fn app_token(&self, id: Uuid) -> Result<Option<AppTokenRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("appToken"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(id)]))
            .await?;
        row.map(|r| self.app_token_record(&r)).transpose()
    }

    /// The usable (not used, revoked, deleted or expired) token of `token_type` whose stored
    /// hash is `value_hash`.
    pub async fn usable_app_token_by_hash(
        &self,
        token_type: AppTokenType,
        value_hash: &str,
    ) -> Result<Option<AppTokenRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM {} WHERE \"type\" = {} AND \"value\" = {} AND \"revokedAt\" IS NULL \
             AND \"deletedAt\" IS NULL AND \"expiresAt\" > {}",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2),
            sys.now()
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(
                sql,
                vec![sys.text(token_type.as_str()), sys.text(value_hash)],
            ))
            .await?;
        row.map(|r| self.app_token_record(&r)).transpose()
    }

    /// Uses a token once: marks it revoked if it is still usable (not revoked, deleted or
    /// expired). Atomic: of concurrent callers exactly one gets `true`.
    pub async fn consume_app_token(&self, id: Uuid) -> Result<bool, StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"revokedAt\" = {now}, \"updatedAt\" = {now} WHERE \"id\" = {} AND \"revokedAt\" IS NULL \
             AND \"deletedAt\" IS NULL AND \"expiresAt\" > {now}",
            sys.table("appToken"),
            sys.p(1)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(id)]))
            .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Revokes every still-unrevoked refresh token of a family (one sign-in session). Returns
    /// how many were revoked.
    pub async fn revoke_token_family(&self, family_id: Uuid) -> Result<u64, StoreError> {
        self.revoke_where("\"familyId\"", family_id).await
    }

    /// Revokes every still-unrevoked refresh token of a user (all sessions).
    pub async fn revoke_user_refresh_tokens(&self, user_id: Uuid) -> Result<u64, StoreError> {
        self.revoke_where("\"userId\"", user_id).await
    }

    async fn revoke_where(&self, column: &str, id: Uuid) -> Result<u64, StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"revokedAt\" = {now}, \"updatedAt\" = {now} WHERE {column} = {} AND \"type\" = {} \
             AND \"revokedAt\" IS NULL",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(
                sql,
                vec![sys.uuid(id), sys.text(AppTokenType::RefreshToken.as_str())],
            ))
            .await?;
        Ok(result.rows_affected())
    }

    /// Resets a password with a reset token, in one transaction: uses the token (usable
    /// `PasswordResetToken` whose hash is `value_hash`), sets the user's `passwordHash`, and
    /// revokes all the user's refresh tokens. Returns the user id, or `None` when the token is
    /// unknown, used, expired or revoked (nothing changes then).
    pub async fn reset_password_with_token(
        &self,
        value_hash: &str,
        new_password_hash: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let txn = self.backend().system().begin().await?;
        let consume = format!(
            "UPDATE {} SET \"revokedAt\" = {now}, \"updatedAt\" = {now} WHERE \"type\" = {} AND \"value\" = {} \
             AND \"revokedAt\" IS NULL AND \"deletedAt\" IS NULL AND \"expiresAt\" > {now} RETURNING \"userId\"",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2)
        );
        let row = txn
            .query_one_raw(sys.stmt(
                consume,
                vec![
                    sys.text(AppTokenType::PasswordResetToken.as_str()),
                    sys.text(value_hash),
                ],
            ))
            .await?;
        let Some(user_id) = row
            .map(|r| sys.get_opt_uuid(&r, "userId"))
            .transpose()?
            .flatten()
        else {
            txn.rollback().await?;
            return Ok(None);
        };
        let set_password = format!(
            "UPDATE {} SET \"passwordHash\" = {}, \"updatedAt\" = {now} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("user"),
            sys.p(1),
            sys.p(2)
        );
        let updated = txn
            .execute_raw(sys.stmt(
                set_password,
                vec![sys.text(new_password_hash), sys.uuid(user_id)],
            ))
            .await?;
        if updated.rows_affected() == 0 {
            txn.rollback().await?;
            return Ok(None);
        }
        let revoke = format!(
            "UPDATE {} SET \"revokedAt\" = {now}, \"updatedAt\" = {now} WHERE \"userId\" = {} AND \"type\" = {} \
             AND \"revokedAt\" IS NULL",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2)
        );
        txn.execute_raw(sys.stmt(
            revoke,
            vec![
                sys.uuid(user_id),
                sys.text(AppTokenType::RefreshToken.as_str()),
            ],
        ))
        .await?;
        txn.commit().await?;
        Ok(Some(user_id))
    }

    /// The workspace's pending invitations (usable `InvitationToken`s), oldest first.
    pub async fn workspace_invitations(
        &self,
        ws: WorkspaceId,
    ) -> Result<Vec<AppTokenRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM {} WHERE \"workspaceId\" = {} AND \"type\" = {} AND \"revokedAt\" IS NULL \
             AND \"deletedAt\" IS NULL AND \"expiresAt\" > {} ORDER BY \"createdAt\", \"id\"",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2),
            sys.now()
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(
                sql,
                vec![
                    sys.uuid(ws.0),
                    sys.text(AppTokenType::InvitationToken.as_str()),
                ],
            ))
            .await?;
        rows.iter().map(|r| self.app_token_record(r)).collect()
    }

    /// Soft-deletes a token of `token_type` belonging to workspace `ws` (e.g. an invitation).
    /// Errors: [`StoreError::AppTokenNotFound`] (missing, deleted, or another workspace's).
    pub async fn delete_workspace_app_token(
        &self,
        ws: WorkspaceId,
        token_type: AppTokenType,
        id: Uuid,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"deletedAt\" = {now}, \"updatedAt\" = {now} WHERE \"id\" = {} AND \"workspaceId\" = {} \
             AND \"type\" = {} AND \"deletedAt\" IS NULL",
            sys.table("appToken"),
            sys.p(1),
            sys.p(2),
            sys.p(3)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(
                sql,
                vec![sys.uuid(id), sys.uuid(ws.0), sys.text(token_type.as_str())],
            ))
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::AppTokenNotFound(id));
        }
        Ok(())
    }
}
