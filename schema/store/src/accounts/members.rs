//! Memberships: `userWorkspace` rows and the matching `workspaceMember` records.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tessera_core::WorkspaceId;
use tessera_metadata::WorkspaceModel;
use tessera_query::{Dialect, RunError, SqlRunner};
use uuid::Uuid;

use super::UserRecord;
use crate::bind::Binder;
use crate::classify::classify;
use crate::sql::qualified;
use crate::sys::Sys;
use crate::{Store, StoreError};

/// A row of `userWorkspace`: a user's membership of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWorkspaceRecord {
    /// Membership id (the `userWorkspaceId` of access tokens).
    pub id: Uuid,
    /// The user.
    pub user_id: Uuid,
    /// The workspace.
    pub workspace_id: WorkspaceId,
    /// Id of the user's `workspaceMember` record in the workspace (the record exists once
    /// the workspace is active).
    pub workspace_member_id: Uuid,
    /// Locale in this workspace.
    pub locale: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last update time.
    pub updated_at: DateTime<Utc>,
}

/// What `/metadata` shows of a `workspaceMember` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceMemberProfile {
    /// Record id.
    pub id: Uuid,
    /// `name.firstName`.
    pub first_name: String,
    /// `name.lastName`.
    pub last_name: String,
    /// `userEmail`.
    pub user_email: String,
    /// `colorScheme` (`System`, `Light`, `Dark`).
    pub color_scheme: String,
    /// `locale`.
    pub locale: Option<String>,
    /// `avatarUrl`.
    pub avatar_url: Option<String>,
    /// `timeZone`.
    pub time_zone: Option<String>,
}

const MEMBERSHIP_COLUMNS: &str = "uw.\"id\", uw.\"userId\", uw.\"workspaceId\", uw.\"workspaceMemberId\", \
     uw.\"locale\", uw.\"createdAt\", uw.\"updatedAt\"";

/// The `INSERT` of a user's `workspaceMember` record (columns by name; the rest take their
/// defaults).
pub(crate) fn member_insert(
    model: &WorkspaceModel,
    dialect: Dialect,
    schema: Option<&str>,
    member_id: Uuid,
    user: &UserRecord,
) -> Result<(String, Vec<sea_query::Value>), StoreError> {
    let object = model
        .object("workspaceMember")
        .ok_or_else(|| StoreError::UnknownObject("workspaceMember".to_owned()))?;
    let mut row = serde_json::Map::new();
    row.insert("id".into(), member_id.to_string().into());
    row.insert("nameFirstName".into(), user.first_name.clone().into());
    row.insert("nameLastName".into(), user.last_name.clone().into());
    row.insert("userEmail".into(), user.email.clone().into());
    row.insert("userId".into(), user.id.to_string().into());
    row.insert("locale".into(), user.locale.clone().into());
    row.insert("colorScheme".into(), "System".into());
    row.insert("timeZone".into(), "system".into());
    let columns = row
        .keys()
        .map(|k| {
            object
                .columns()
                .find(|c| &c.name == k)
                .ok_or_else(|| StoreError::UnknownColumn {
                    object: "workspaceMember".to_owned(),
                    column: k.clone(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let binder = Binder { dialect, schema };
    crate::insert::batch(
        &binder,
        &qualified(schema, &object.table),
        &columns,
        &[row],
        0,
    )
}

/// The `INSERT` of a `userWorkspace` row.
pub(crate) fn membership_insert(
    sys: Sys,
    id: Uuid,
    user: &UserRecord,
    ws: WorkspaceId,
    member_id: Uuid,
) -> sea_orm::Statement {
    let sql = format!(
        "INSERT INTO {} (\"id\", \"userId\", \"workspaceId\", \"workspaceMemberId\", \"locale\") VALUES {}",
        sys.table("userWorkspace"),
        sys.tuple(1, 5)
    );
    sys.stmt(
        sql,
        vec![
            sys.uuid(id),
            sys.uuid(user.id),
            sys.uuid(ws.0),
            sys.uuid(member_id),
            sys.text(user.locale.clone()),
        ],
    )
}

fn membership_error(e: sea_orm::DbErr) -> StoreError {
    match classify(&e) {
        RunError::UniqueViolation { .. } => StoreError::AlreadyMember,
        _ => StoreError::Database(e),
    }
}

impl Store {
    fn membership_record(&self, row: &QueryResult) -> Result<UserWorkspaceRecord, StoreError> {
        let sys = self.sys();
        Ok(UserWorkspaceRecord {
            id: sys.get_uuid(row, "id")?,
            user_id: sys.get_uuid(row, "userId")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            workspace_member_id: sys.get_uuid(row, "workspaceMemberId")?,
            locale: sys.get_text(row, "locale")?,
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
        })
    }

    /// The user's membership of `ws`, unless missing, deleted, or the workspace is deleted.
    pub async fn user_workspace(
        &self,
        user_id: Uuid,
        ws: WorkspaceId,
    ) -> Result<Option<UserWorkspaceRecord>, StoreError> {
        let rows = self
            .memberships("uw.\"userId\" = {1} AND uw.\"workspaceId\" = {2}", |sys| {
                vec![sys.uuid(user_id), sys.uuid(ws.0)]
            })
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Every membership of the user in a non-deleted workspace, oldest first.
    pub async fn user_workspaces(
        &self,
        user_id: Uuid,
    ) -> Result<Vec<UserWorkspaceRecord>, StoreError> {
        self.memberships("uw.\"userId\" = {1}", |sys| vec![sys.uuid(user_id)])
            .await
    }

    /// Every membership of a workspace, oldest first.
    pub async fn workspace_memberships(
        &self,
        ws: WorkspaceId,
    ) -> Result<Vec<UserWorkspaceRecord>, StoreError> {
        self.memberships("uw.\"workspaceId\" = {1}", |sys| vec![sys.uuid(ws.0)])
            .await
    }

    async fn memberships(
        &self,
        filter: &str,
        values: impl FnOnce(Sys) -> Vec<sea_query::Value>,
    ) -> Result<Vec<UserWorkspaceRecord>, StoreError> {
        let sys = self.sys();
        let filter = filter.replace("{1}", &sys.p(1)).replace("{2}", &sys.p(2));
        let sql = format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM {} uw JOIN {} w ON w.\"id\" = uw.\"workspaceId\" \
             WHERE {filter} AND uw.\"deletedAt\" IS NULL AND w.\"deletedAt\" IS NULL \
             ORDER BY uw.\"createdAt\", uw.\"id\"",
            sys.table("userWorkspace"),
            sys.table("workspace"),
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, values(sys)))
            .await?;
        rows.iter().map(|r| self.membership_record(r)).collect()
    }

    /// Adds `user` to the ACTIVE workspace `ws`: its `workspaceMember` record (fresh id) and
    /// its `userWorkspace` row. On PostgreSQL both are written in one transaction; on SQLite
    /// the member record's transaction commits only after the membership row is written (and
    /// the row is removed again if that commit fails).
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`] (missing or not active),
    /// [`StoreError::AlreadyMember`], [`StoreError::Database`] / [`StoreError::Run`].
    pub async fn add_workspace_member(
        &self,
        ws: WorkspaceId,
        user: &UserRecord,
    ) -> Result<UserWorkspaceRecord, StoreError> {
        if self.user_workspace(user.id, ws).await?.is_some() {
            return Err(StoreError::AlreadyMember);
        }
        let model = self.workspace_model(ws).await?;
        let runner = self.runner(ws).await?;
        let member_id = Uuid::new_v4();
        let id = Uuid::new_v4();
        let (sql, values) =
            member_insert(&model, self.dialect(), runner.schema(), member_id, user)?;
        let sys = self.sys();
        let txn = runner.begin().await?;
        txn.execute_raw(sys.stmt(sql, values))
            .await
            .map_err(|e| StoreError::Run(classify(&e)))?;
        let membership = membership_insert(sys, id, user, ws, member_id);
        if self.dialect() == Dialect::Postgres {
            txn.execute_raw(membership)
                .await
                .map_err(membership_error)?;
            txn.commit().await?;
        } else {
            self.backend()
                .system()
                .execute_raw(membership)
                .await
                .map_err(membership_error)?;
            if let Err(e) = txn.commit().await {
                self.remove_membership(id).await?;
                return Err(e.into());
            }
        }
        self.user_workspace(user.id, ws)
            .await?
            .ok_or_else(|| StoreError::corrupt("created userWorkspace is not readable"))
    }

    async fn remove_membership(&self, id: Uuid) -> Result<(), StoreError> {
        let sys = self.sys();
        let sql = format!(
            "DELETE FROM {} WHERE \"id\" = {}",
            sys.table("userWorkspace"),
            sys.p(1)
        );
        self.backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(id)]))
            .await?;
        Ok(())
    }

    /// The `workspaceMember` record `member_id` of the active workspace `ws`, if it exists
    /// and is not soft-deleted.
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::Database`].
    pub async fn workspace_member_profile(
        &self,
        ws: WorkspaceId,
        member_id: Uuid,
    ) -> Result<Option<WorkspaceMemberProfile>, StoreError> {
        self.metadata_version(ws).await?;
        let runner = self.runner(ws).await?;
        let sys = self.sys();
        let sql = format!(
            "SELECT \"id\", \"nameFirstName\", \"nameLastName\", \"userEmail\", \"colorScheme\", \"locale\", \
             \"avatarUrl\", \"timeZone\" FROM {} WHERE \"id\" = {} AND \"deletedAt\" IS NULL",
            qualified(runner.schema(), "workspaceMember"),
            sys.p(1)
        );
        let row = runner
            .db()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(member_id)]))
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(WorkspaceMemberProfile {
            id: sys.get_uuid(&row, "id")?,
            first_name: sys.get_opt_text(&row, "nameFirstName")?.unwrap_or_default(),
            last_name: sys.get_opt_text(&row, "nameLastName")?.unwrap_or_default(),
            user_email: sys.get_opt_text(&row, "userEmail")?.unwrap_or_default(),
            color_scheme: sys
                .get_opt_text(&row, "colorScheme")?
                .unwrap_or_else(|| "System".to_owned()),
            locale: sys.get_opt_text(&row, "locale")?,
            avatar_url: sys.get_opt_text(&row, "avatarUrl")?,
            time_zone: sys.get_opt_text(&row, "timeZone")?,
        }))
    }
}
