//! A user's new workspace, in two steps as in Twenty: [`Store::create_pending_workspace`]
//! (`signUpInNewWorkspace`: the workspace row in `PENDING_CREATION` and the creator's
//! membership) and [`Store::activate_workspace`] (`activateWorkspace`: storage, standard
//! objects and every member's `workspaceMember` record, then `ACTIVE`).

use sea_orm::{ConnectionTrait, TransactionTrait};
use tessera_core::WorkspaceId;
use tessera_metadata::{ObjectMetadata, WorkspaceModel};
use tessera_query::{Dialect, RunError};
use uuid::Uuid;

use super::UserRecord;
use super::members::{member_insert, membership_insert};
use crate::classify::classify;
use crate::connect::{Backend, file_name, open_sqlite};
use crate::workspaces::{SQLITE_POOL_SIZE, remove_sqlite_files};
use crate::{Store, StoreError, UserWorkspaceRecord, WorkspaceRecord, ddl, metadata_rows};

/// Twenty's `WorkspaceActivationStatus` values used here.
const PENDING: &str = "PENDING_CREATION";
const ONGOING: &str = "ONGOING_CREATION";
const ACTIVE: &str = "ACTIVE";

/// A member whose `workspaceMember` record activation creates.
#[derive(Debug, Clone)]
pub struct WorkspaceMemberSeed {
    /// The record id (the membership's `workspaceMemberId`).
    pub member_id: Uuid,
    /// The user.
    pub user: UserRecord,
}

impl Store {
    /// Creates a workspace in `PENDING_CREATION` (no storage yet) named `display_name` with
    /// `subdomain`, and `creator`'s membership of it (with a fresh `workspaceMemberId`), in
    /// one transaction.
    ///
    /// Errors: [`StoreError::SubdomainTaken`], [`StoreError::Database`].
    pub async fn create_pending_workspace(
        &self,
        display_name: &str,
        subdomain: &str,
        creator: &UserRecord,
    ) -> Result<(WorkspaceRecord, UserWorkspaceRecord), StoreError> {
        let sys = self.sys();
        let ws = WorkspaceId::new_random();
        let txn = self.backend().system().begin().await?;
        let sql = format!(
            "INSERT INTO {} (\"id\", \"displayName\", \"databaseSchema\", \"activationStatus\", \"subdomain\") VALUES {}",
            sys.table("workspace"),
            sys.tuple(1, 5)
        );
        let values = vec![
            sys.uuid(ws.0),
            sys.text(display_name),
            sys.text(""),
            sys.text(PENDING),
            sys.text(subdomain),
        ];
        if let Err(e) = txn.execute_raw(sys.stmt(sql, values)).await {
            return Err(match classify(&e) {
                RunError::UniqueViolation { .. } => StoreError::SubdomainTaken,
                _ => StoreError::Database(e),
            });
        }
        txn.execute_raw(membership_insert(
            sys,
            Uuid::new_v4(),
            creator,
            ws,
            Uuid::new_v4(),
        ))
        .await?;
        txn.commit().await?;
        let workspace = self
            .workspace(ws)
            .await?
            .ok_or_else(|| StoreError::corrupt("created workspace is not readable"))?;
        let membership = self
            .user_workspace(creator.id, ws)
            .await?
            .ok_or_else(|| StoreError::corrupt("created userWorkspace is not readable"))?;
        Ok((workspace, membership))
    }

    /// Activates a workspace pending creation: creates its storage with `objects` (as
    /// [`Store::create_workspace`] does), a `workspaceMember` record for every member (id =
    /// the membership's `workspaceMemberId`), the default roles with every member present (the
    /// creator) as Admin, and sets it `ACTIVE`. All or nothing: on
    /// failure the workspace goes back to `PENDING_CREATION`. Only one of concurrent callers
    /// proceeds (the status moves to `ONGOING_CREATION` first).
    ///
    /// Errors: [`StoreError::WorkspaceNotFound`], [`StoreError::WorkspaceActivation`] (not
    /// pending, or already being created), [`StoreError::Metadata`], [`StoreError::Database`].
    pub async fn activate_workspace(
        &self,
        ws: WorkspaceId,
        mut objects: Vec<ObjectMetadata>,
    ) -> Result<WorkspaceRecord, StoreError> {
        self.claim_pending(ws).await?;
        let result = async {
            let mut seeds = Vec::new();
            for membership in self.workspace_memberships(ws).await? {
                let user = self
                    .user(membership.user_id)
                    .await?
                    .ok_or(StoreError::UserNotFound(membership.user_id))?;
                seeds.push(WorkspaceMemberSeed {
                    member_id: membership.workspace_member_id,
                    user,
                });
            }
            for object in &mut objects {
                for field in &mut object.fields {
                    field.object_metadata_id = object.id;
                }
            }
            self.provision(ws, &objects, &seeds).await
        }
        .await;
        if let Err(e) = result {
            if let Err(reset) = self.set_status(ws, ONGOING, PENDING).await {
                tracing::error!(workspace_id = %ws, error = %reset, "cannot reset a failed activation");
            }
            return Err(e);
        }
        tracing::info!(workspace_id = %ws, objects = objects.len(), "workspace activated");
        self.workspace(ws)
            .await?
            .ok_or(StoreError::WorkspaceNotFound(ws))
    }

    /// The non-deleted workspace with this subdomain (compared lower-case).
    pub async fn workspace_by_subdomain(
        &self,
        subdomain: &str,
    ) -> Result<Option<WorkspaceRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT \"id\" FROM {} WHERE \"subdomain\" = {} AND \"deletedAt\" IS NULL",
            sys.table("workspace"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.text(subdomain.to_lowercase())]))
            .await?;
        match row {
            Some(row) => self.workspace(WorkspaceId(sys.get_uuid(&row, "id")?)).await,
            None => Ok(None),
        }
    }

    async fn claim_pending(&self, ws: WorkspaceId) -> Result<(), StoreError> {
        if self.set_status(ws, PENDING, ONGOING).await? {
            return Ok(());
        }
        let workspace = self
            .workspace(ws)
            .await?
            .ok_or(StoreError::WorkspaceNotFound(ws))?;
        Err(StoreError::WorkspaceActivation(
            if workspace.activation_status == ONGOING {
                "Workspace is already being created"
            } else {
                "Workspace is not pending creation"
            },
        ))
    }

    /// `UPDATE workspace SET activationStatus = to WHERE activationStatus = from`; whether a
    /// row changed.
    async fn set_status(&self, ws: WorkspaceId, from: &str, to: &str) -> Result<bool, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "UPDATE {} SET \"activationStatus\" = {}, \"updatedAt\" = {} WHERE \"id\" = {} AND \"activationStatus\" = {} \
             AND \"deletedAt\" IS NULL",
            sys.table("workspace"),
            sys.p(1),
            sys.now(),
            sys.p(2),
            sys.p(3)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.text(to), sys.uuid(ws.0), sys.text(from)]))
            .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn provision(
        &self,
        ws: WorkspaceId,
        objects: &[ObjectMetadata],
        seeds: &[WorkspaceMemberSeed],
    ) -> Result<(), StoreError> {
        let model = WorkspaceModel::build(ws, 1, objects)?;
        let sys = self.sys();
        let activate = |database_schema: &str| {
            let sql = format!(
                "UPDATE {} SET \"activationStatus\" = {}, \"databaseSchema\" = {}, \"metadataVersion\" = 1, \
                 \"updatedAt\" = {} WHERE \"id\" = {}",
                sys.table("workspace"),
                sys.p(1),
                sys.p(2),
                sys.now(),
                sys.p(3)
            );
            sys.stmt(
                sql,
                vec![sys.text(ACTIVE), sys.text(database_schema), sys.uuid(ws.0)],
            )
        };
        match self.backend() {
            Backend::Postgres(db) => {
                let schema = ws.schema_name();
                let statements = ddl::workspace_ddl(Dialect::Postgres, Some(&schema), &model)?;
                let txn = db.begin().await?;
                for statement in &statements {
                    txn.execute_unprepared(statement).await?;
                }
                for seed in seeds {
                    let (sql, values) = member_insert(
                        &model,
                        Dialect::Postgres,
                        Some(&schema),
                        seed.member_id,
                        &seed.user,
                    )?;
                    txn.execute_raw(sys.stmt(sql, values)).await?;
                }
                metadata_rows::insert(&txn, sys, ws, objects).await?;
                crate::roles::insert_default_roles(&txn, sys, ws).await?;
                for seed in seeds {
                    crate::roles::assign_admin(&txn, sys, ws, seed.member_id).await?;
                }
                txn.execute_raw(activate(&schema)).await?;
                txn.commit().await?;
            }
            Backend::Sqlite(files) => {
                let statements = ddl::workspace_ddl(Dialect::Sqlite, None, &model)?;
                let path = files.path(ws);
                let db = open_sqlite(&path, true, SQLITE_POOL_SIZE).await?;
                let result = async {
                    let txn = db.begin().await?;
                    for statement in &statements {
                        txn.execute_unprepared(statement).await?;
                    }
                    for seed in seeds {
                        let (sql, values) = member_insert(
                            &model,
                            Dialect::Sqlite,
                            None,
                            seed.member_id,
                            &seed.user,
                        )?;
                        txn.execute_raw(sys.stmt(sql, values)).await?;
                    }
                    txn.commit().await?;
                    let txn = files.system.begin().await?;
                    metadata_rows::insert(&txn, sys, ws, objects).await?;
                    crate::roles::insert_default_roles(&txn, sys, ws).await?;
                    for seed in seeds {
                        crate::roles::assign_admin(&txn, sys, ws, seed.member_id).await?;
                    }
                    txn.execute_raw(activate(&file_name(ws))).await?;
                    txn.commit().await?;
                    Ok::<(), StoreError>(())
                }
                .await;
                match result {
                    Ok(()) => {
                        files
                            .pools
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(ws, db);
                    }
                    Err(e) => {
                        if let Err(close) = db.close().await {
                            tracing::warn!(error = %close, "closing a failed workspace file");
                        }
                        remove_sqlite_files(&path);
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }
}
