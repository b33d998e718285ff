//! Roles and permissions (Twenty's `role`, `roleTarget`, `objectPermission`,
//! `fieldPermission`, `permissionFlag`; `shared/reference/twenty-metadata-auth.md` §7.1), the
//! workspace's default role (`workspace.defaultRoleId`) and a permissions version
//! (`workspace.permissionsVersion`, bumped on every role change so cached role permissions are
//! reloaded).
//!
//! Workspaces created before this migration get their default roles (Admin, Member) on first
//! use (the store does it when `defaultRoleId` is NULL).

use sea_orm_migration::prelude::*;

use crate::columns::{Cols, col, fk};

/// Creates the role tables and the two new `workspace` columns. Idempotent (`IF NOT EXISTS`
/// for tables and indexes; the columns are added once, by this migration only).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

fn role(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("role"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("standardId"))
        .col(c.text("label").not_null())
        .col(c.text("description"))
        .col(c.text("icon"))
        .col(c.boolean("isEditable", true))
        .col(c.boolean("canUpdateAllSettings", false))
        .col(c.boolean("canAccessAllTools", false))
        .col(c.boolean("canReadAllObjectRecords", false))
        .col(c.boolean("canUpdateAllObjectRecords", false))
        .col(c.boolean("canSoftDeleteAllObjectRecords", false))
        .col(c.boolean("canDestroyAllObjectRecords", false))
        .col(c.boolean("canBeAssignedToUsers", true))
        .col(c.boolean("canBeAssignedToAgents", true))
        .col(c.boolean("canBeAssignedToApiKeys", true))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "role", "workspaceId", "workspace"))
        .to_owned()
}

fn role_target(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("roleTarget"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("roleId").not_null())
        .col(c.uuid("workspaceMemberId"))
        .col(c.uuid("apiKeyId"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "roleTarget", "workspaceId", "workspace"))
        .foreign_key(&mut fk(c, "roleTarget", "roleId", "role"))
        .to_owned()
}

fn object_permission(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("objectPermission"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("roleId").not_null())
        .col(c.uuid("objectMetadataId").not_null())
        .col(c.opt_boolean("canReadObjectRecords"))
        .col(c.opt_boolean("canUpdateObjectRecords"))
        .col(c.opt_boolean("canSoftDeleteObjectRecords"))
        .col(c.opt_boolean("canDestroyObjectRecords"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "objectPermission", "workspaceId", "workspace"))
        .foreign_key(&mut fk(c, "objectPermission", "roleId", "role"))
        .foreign_key(&mut fk(
            c,
            "objectPermission",
            "objectMetadataId",
            "objectMetadata",
        ))
        .to_owned()
}

fn field_permission(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("fieldPermission"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("roleId").not_null())
        .col(c.uuid("objectMetadataId").not_null())
        .col(c.uuid("fieldMetadataId").not_null())
        .col(c.opt_boolean("canReadFieldValue"))
        .col(c.opt_boolean("canUpdateFieldValue"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "fieldPermission", "workspaceId", "workspace"))
        .foreign_key(&mut fk(c, "fieldPermission", "roleId", "role"))
        .foreign_key(&mut fk(
            c,
            "fieldPermission",
            "fieldMetadataId",
            "fieldMetadata",
        ))
        .to_owned()
}

fn permission_flag(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("permissionFlag"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("roleId").not_null())
        .col(c.text("flag").not_null())
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "permissionFlag", "workspaceId", "workspace"))
        .foreign_key(&mut fk(c, "permissionFlag", "roleId", "role"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("workspace"))
                    .add_column(c.uuid("defaultRoleId"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(c.table("workspace"))
                    .add_column(c.bigint("permissionsVersion", 1))
                    .to_owned(),
            )
            .await?;
        manager.create_table(role(c)).await?;
        manager.create_table(role_target(c)).await?;
        manager.create_table(object_permission(c)).await?;
        manager.create_table(field_permission(c)).await?;
        manager.create_table(permission_flag(c)).await?;
        let indexes = [
            (
                "role",
                "IDX_role_label",
                &["workspaceId", "label"][..],
                true,
            ),
            (
                "roleTarget",
                "IDX_roleTarget_member",
                &["workspaceId", "workspaceMemberId"][..],
                true,
            ),
            (
                "roleTarget",
                "IDX_roleTarget_apiKey",
                &["workspaceId", "apiKeyId"][..],
                true,
            ),
            ("roleTarget", "IDX_roleTarget_role", &["roleId"][..], false),
            (
                "objectPermission",
                "IDX_objectPermission_role_object",
                &["roleId", "objectMetadataId"][..],
                true,
            ),
            (
                "fieldPermission",
                "IDX_fieldPermission_role_field",
                &["roleId", "fieldMetadataId"][..],
                true,
            ),
            (
                "permissionFlag",
                "IDX_permissionFlag_role_flag",
                &["roleId", "flag"][..],
                true,
            ),
        ];
        for (table, name, columns, unique) in indexes {
            let mut idx = Index::create();
            idx.name(name).table(c.table(table)).if_not_exists();
            for column in columns {
                idx.col(col(column));
            }
            if unique {
                idx.unique();
            }
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for table in [
            "permissionFlag",
            "fieldPermission",
            "objectPermission",
            "roleTarget",
            "role",
        ] {
            manager
                .drop_table(Table::drop().table(c.table(table)).if_exists().to_owned())
                .await?;
        }
        for column in ["permissionsVersion", "defaultRoleId"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(c.table("workspace"))
                        .drop_column(col(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
