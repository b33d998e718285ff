//! The first system tables: workspaces, object and field metadata, API keys.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{CORE_SCHEMA, Cols, col, fk, index};

/// Creates `workspace`, `objectMetadata`, `fieldMetadata` and `apiKey` (and schema `core` on
/// PostgreSQL). Every statement is idempotent (`IF NOT EXISTS`).
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

fn workspace(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("workspace"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("displayName").not_null())
        .col(c.text("databaseSchema").not_null().default(""))
        .col(c.text("activationStatus").not_null().default("ACTIVE"))
        .col(c.bigint("metadataVersion", 1))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        .to_owned()
}

fn object_metadata(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("objectMetadata"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.text("nameSingular").not_null())
        .col(c.text("namePlural").not_null())
        .col(c.text("labelSingular").not_null())
        .col(c.text("labelPlural").not_null())
        .col(c.text("description"))
        .col(c.text("icon"))
        .col(c.boolean("isCustom", false))
        .col(c.boolean("isSystem", false))
        .col(c.boolean("isActive", true))
        .col(c.uuid("labelIdentifierFieldMetadataId"))
        .col(c.bigint("position", 0))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "objectMetadata", "workspaceId", "workspace"))
        .to_owned()
}

fn field_metadata(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("fieldMetadata"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.uuid("workspaceId").not_null())
        .col(c.uuid("objectMetadataId").not_null())
        .col(c.text("name").not_null())
        .col(c.text("label").not_null())
        .col(c.text("type").not_null())
        .col(c.text("description"))
        .col(c.text("icon"))
        .col(c.boolean("isNullable", true))
        .col(c.boolean("isUnique", false))
        .col(c.boolean("isSystem", false))
        .col(c.boolean("isCustom", false))
        .col(c.boolean("isActive", true))
        .col(c.json("defaultValue"))
        .col(c.json("options"))
        .col(c.json("settings"))
        .col(c.uuid("relationTargetObjectMetadataId"))
        .col(c.uuid("relationTargetFieldMetadataId"))
        .col(c.bigint("position", 0))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk(c, "fieldMetadata", "workspaceId", "workspace"))
        .foreign_key(&mut fk(
            c,
            "fieldMetadata",
            "objectMetadataId",
            "objectMetadata",
        ))
        .to_owned()
}

fn api_key(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("apiKey"))
        .if_not_exists()
        .col(c.uuid("id").not_null())
        .col(c.uuid("workspaceId").not_null())
        .col(c.text("name").not_null())
        .col(c.timestamp("expiresAt").not_null())
        .col(c.timestamp("revokedAt"))
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .col(c.timestamp("deletedAt"))
        // (workspaceId, id): the same key id (the demo key's fixed id) may exist once per workspace.
        .primary_key(Index::create().col(col("workspaceId")).col(col("id")))
        .foreign_key(&mut fk(c, "apiKey", "workspaceId", "workspace"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let c = Cols { backend };
        if backend == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{CORE_SCHEMA}\""))
                .await?;
        }
        manager.create_table(workspace(c)).await?;
        manager.create_table(object_metadata(c)).await?;
        manager.create_table(field_metadata(c)).await?;
        manager.create_table(api_key(c)).await?;
        let indexes = [
            (
                "objectMetadata",
                "IDX_objectMetadata_nameSingular",
                &["workspaceId", "nameSingular"][..],
                true,
            ),
            (
                "objectMetadata",
                "IDX_objectMetadata_namePlural",
                &["workspaceId", "namePlural"][..],
                true,
            ),
            (
                "fieldMetadata",
                "IDX_fieldMetadata_object_name",
                &["objectMetadataId", "name"][..],
                true,
            ),
            (
                "fieldMetadata",
                "IDX_fieldMetadata_workspaceId",
                &["workspaceId"][..],
                false,
            ),
        ];
        for (table, name, columns, unique) in indexes {
            manager
                .create_index(index(c, table, name, columns, unique))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for table in ["apiKey", "fieldMetadata", "objectMetadata", "workspace"] {
            manager
                .drop_table(Table::drop().table(c.table(table)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
