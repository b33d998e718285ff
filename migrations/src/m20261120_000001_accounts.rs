//! Accounts: users, their workspace memberships, and application tokens (refresh, password
//! reset, invitation), following Twenty's `core.user`, `core.userWorkspace` and `core.appToken`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{Cols, col, fk, index};

/// Creates `user`, `userWorkspace` and `appToken`, and adds `workspace.subdomain`.
/// Every statement is idempotent (`IF NOT EXISTS`) except the column addition, which runs
/// once (recorded by the migrator).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// `user`: global across workspaces. `email` is stored lower-case and is unique among
/// non-deleted users (index on `lower(email)`); `passwordHash` is a PHC string (argon2id).
fn user(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("user"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("email").not_null())
        .col(c.text("firstName").not_null().default(""))
        .col(c.text("lastName").not_null().default(""))
        .col(c.text("passwordHash"))
        .col(c.uuid("defaultWorkspaceId"))
        .col(c.text("locale").not_null().default("en"))
        .col(c.boolean("isEmailVerified", false))
        .col(c.boolean("disabled", false))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        .to_owned()
}

/// `userWorkspace`: a user's membership of a workspace, with the id of the user's
/// `workspaceMember` record in that workspace (assigned when the membership is created).
fn user_workspace(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("userWorkspace"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("userId").not_null())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("workspaceMemberId").not_null())
        .col(c.text("locale").not_null().default("en"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        .foreign_key(&mut fk(c, "userWorkspace", "userId", "user"))
        .foreign_key(&mut fk(c, "userWorkspace", "workspaceId", "workspace"))
        .to_owned()
}

/// `appToken`: refresh tokens (`familyId` groups one sign-in's rotations), password-reset
/// and invitation tokens. `value` holds only the SHA-256 hex of a secret token, never the
/// token; `context` is JSON (`{"email", "roleId"}` for invitations).
fn app_token(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("appToken"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("type").not_null())
        .col(c.uuid("userId"))
        .col(c.uuid("workspaceId"))
        .col(c.text("value"))
        .col(c.uuid("familyId"))
        .col(c.json("context"))
        .col(c.timestamp("expiresAt").not_null())
        .col(c.timestamp("revokedAt"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        .foreign_key(&mut fk(c, "appToken", "userId", "user"))
        .foreign_key(&mut fk(c, "appToken", "workspaceId", "workspace"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let c = Cols { backend };
        manager.create_table(user(c)).await?;
        manager.create_table(user_workspace(c)).await?;
        manager.create_table(app_token(c)).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("workspace"))
                    .add_column(c.text("subdomain"))
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "userWorkspace",
                "IDX_userWorkspace_user_workspace",
                &["userId", "workspaceId"][..],
                true,
            ),
            (
                "userWorkspace",
                "IDX_userWorkspace_workspaceId",
                &["workspaceId"][..],
                false,
            ),
            ("appToken", "IDX_appToken_value", &["value"][..], false),
            (
                "appToken",
                "IDX_appToken_familyId",
                &["familyId"][..],
                false,
            ),
            ("appToken", "IDX_appToken_userId", &["userId"][..], false),
            (
                "appToken",
                "IDX_appToken_workspaceId",
                &["workspaceId"][..],
                false,
            ),
            (
                "workspace",
                "IDX_workspace_subdomain",
                &["subdomain"][..],
                true,
            ),
        ];
        for (table, name, columns, unique) in indexes {
            manager
                .create_index(index(c, table, name, columns, unique))
                .await?;
        }
        // Case-insensitive unique e-mail among non-deleted users (an expression index, which
        // sea-query cannot express): the same statement works on both backends.
        let user_table = if backend == DbBackend::Postgres {
            format!("\"{}\".\"user\"", crate::CORE_SCHEMA)
        } else {
            "\"user\"".to_owned()
        };
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS \"IDX_user_email_lower\" ON {user_table} (lower(\"email\")) WHERE \"deletedAt\" IS NULL"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for table in ["appToken", "userWorkspace", "user"] {
            manager
                .drop_table(Table::drop().table(c.table(table)).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("workspace"))
                    .drop_column(col("subdomain"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
