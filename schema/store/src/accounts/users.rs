//! The `user` system table.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tessera_core::WorkspaceId;
use tessera_query::RunError;
use uuid::Uuid;

use crate::classify::classify;
use crate::{Store, StoreError};

/// A row of `user` (global across workspaces). `Debug` hides the password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// User id (the `sub` / `userId` of its tokens).
    pub id: Uuid,
    /// E-mail address, lower-case.
    pub email: String,
    /// First name (may be empty).
    pub first_name: String,
    /// Last name (may be empty).
    pub last_name: String,
    /// argon2id PHC string; `None` for users without a password (SSO only).
    pub password_hash: Option<String>,
    /// The workspace the user signs into by default.
    pub default_workspace_id: Option<WorkspaceId>,
    /// BCP-47 locale, e.g. `en`.
    pub locale: String,
    /// Whether the e-mail address was verified.
    pub is_email_verified: bool,
    /// A disabled user cannot sign in.
    pub disabled: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("locale", &self.locale)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("default_workspace_id", &self.default_workspace_id)
            .finish_non_exhaustive()
    }
}

/// A user to create. `email` is lower-cased by [`Store::create_user`].
#[derive(Clone)]
pub struct NewUser<'a> {
    /// E-mail address.
    pub email: &'a str,
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: &'a str,
    /// argon2id PHC string of the password.
    pub password_hash: Option<&'a str>,
    /// Locale, e.g. `en`.
    pub locale: &'a str,
}

const USER_COLUMNS: &str = "\"id\", \"email\", \"firstName\", \"lastName\", \"passwordHash\", \
     \"defaultWorkspaceId\", \"locale\", \"isEmailVerified\", \"disabled\", \"createdAt\", \"updatedAt\"";

/// The canonical form of an e-mail address for storage and lookup: trimmed, lower-case
/// (Twenty lower-cases e-mails on lookup).
pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Store {
    pub(crate) fn user_record(&self, row: &QueryResult) -> Result<UserRecord, StoreError> {
        let sys = self.sys();
        Ok(UserRecord {
            id: sys.get_uuid(row, "id")?,
            email: sys.get_text(row, "email")?,
            first_name: sys.get_text(row, "firstName")?,
            last_name: sys.get_text(row, "lastName")?,
            password_hash: sys.get_opt_text(row, "passwordHash")?,
            default_workspace_id: sys
                .get_opt_uuid(row, "defaultWorkspaceId")?
                .map(WorkspaceId),
            locale: sys.get_text(row, "locale")?,
            is_email_verified: sys.get_bool(row, "isEmailVerified")?,
            disabled: sys.get_bool(row, "disabled")?,
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
        })
    }

    /// Creates a user (e-mail stored lower-case).
    ///
    /// Errors: [`StoreError::UserExists`] when a non-deleted user has this e-mail (compared
    /// case-insensitively), [`StoreError::Database`].
    pub async fn create_user(&self, user: NewUser<'_>) -> Result<UserRecord, StoreError> {
        let sys = self.sys();
        let id = Uuid::new_v4();
        let sql = format!(
            "INSERT INTO {} (\"id\", \"email\", \"firstName\", \"lastName\", \"passwordHash\", \"locale\") VALUES {}",
            sys.table("user"),
            sys.tuple(1, 6)
        );
        let values = vec![
            sys.uuid(id),
            sys.text(normalize_email(user.email)),
            sys.text(user.first_name),
            sys.text(user.last_name),
            sys.opt_text(user.password_hash),
            sys.text(user.locale),
        ];
        if let Err(e) = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await
        {
            return Err(match classify(&e) {
                RunError::UniqueViolation { .. } => StoreError::UserExists,
                _ => StoreError::Database(e),
            });
        }
        self.user(id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created user is not readable"))
    }

    /// The non-deleted user with this id.
    pub async fn user(&self, id: Uuid) -> Result<Option<UserRecord>, StoreError> {
        self.user_where("\"id\"", self.sys().uuid(id)).await
    }

    /// The non-deleted user with this e-mail (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let sys = self.sys();
        self.user_where("lower(\"email\")", sys.text(normalize_email(email)))
            .await
    }

    async fn user_where(
        &self,
        column: &str,
        value: sea_query::Value,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM {} WHERE {column} = {} AND \"deletedAt\" IS NULL",
            sys.table("user"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![value]))
            .await?;
        row.map(|r| self.user_record(&r)).transpose()
    }

    /// Sets the user's default workspace. Errors: [`StoreError::UserNotFound`].
    pub async fn set_default_workspace(
        &self,
        user_id: Uuid,
        ws: WorkspaceId,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let sql = format!(
            "UPDATE {} SET \"defaultWorkspaceId\" = {}, \"updatedAt\" = {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            sys.table("user"),
            sys.p(1),
            sys.now(),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(ws.0), sys.uuid(user_id)]))
            .await?;
        if result.rows_affected() == 0 {
            return Err(StoreError::UserNotFound(user_id));
        }
        Ok(())
    }
}
