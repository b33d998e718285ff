//! Single sign-on: per-workspace identity providers (Twenty's
//! `core.workspaceSSOIdentityProvider`), short-lived login states of OIDC/OAuth/SAML flows in
//! progress, and the SAML assertion ids already used (replay protection).

use sea_orm_migration::prelude::*;

use crate::columns::{Cols, col};

/// Creates `workspaceSSOIdentityProvider`, `ssoLoginState` and `ssoUsedAssertion`.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// `workspaceSSOIdentityProvider` (Twenty's columns): `status` is `Active`, `Inactive` or
/// `Error`; `type` is `OIDC` or `SAML`; `clientID`/`clientSecret` are OIDC's, `ssoURL`,
/// `certificate` (PEM) and `fingerprint` SAML's.
fn provider(c: Cols) -> TableCreateStatement {
    let mut fk = ForeignKey::create();
    fk.name("FK_workspaceSSOIdentityProvider_workspaceId")
        .from(c.table("workspaceSSOIdentityProvider"), col("workspaceId"))
        .to(c.table("workspace"), col("id"))
        .on_delete(ForeignKeyAction::Cascade);
    Table::create()
        .table(c.table("workspaceSSOIdentityProvider"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("name").not_null())
        .col(c.text("status").not_null().default("Active"))
        .col(c.text("type").not_null().default("OIDC"))
        .col(c.text("issuer").not_null())
        .col(c.text("clientID"))
        .col(c.text("clientSecret"))
        .col(c.text("ssoURL"))
        .col(c.text("certificate"))
        .col(c.text("fingerprint"))
        .col(c.uuid("workspaceId").not_null())
        .col(c.timestamp_now("createdAt"))
        .col(c.timestamp_now("updatedAt"))
        .foreign_key(&mut fk)
        .to_owned()
}

/// `ssoLoginState`: one row per login started (OIDC, Google, Microsoft, SAML), found by
/// `stateKey` (SHA-256 hex of the OAuth `state`, or of the SAML request id), deleted when the
/// callback uses it. `nonce` and `pkceVerifier` are the OIDC values; `context` is JSON
/// (invitation, workspace hint).
fn login_state(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("ssoLoginState"))
        .if_not_exists()
        .col(c.uuid("id").not_null().primary_key())
        .col(c.text("stateKey").not_null().unique_key())
        .col(c.text("kind").not_null())
        .col(c.uuid("identityProviderId"))
        .col(c.text("nonce"))
        .col(c.text("pkceVerifier"))
        .col(c.text("samlRequestId"))
        .col(c.json("context"))
        .col(c.timestamp("expiresAt").not_null())
        .col(c.timestamp_now("createdAt"))
        .to_owned()
}

/// `ssoUsedAssertion`: SAML assertion ids already accepted, per provider, kept until the
/// assertion would have expired anyway.
fn used_assertion(c: Cols) -> TableCreateStatement {
    Table::create()
        .table(c.table("ssoUsedAssertion"))
        .if_not_exists()
        .col(c.uuid("identityProviderId").not_null())
        .col(c.text("assertionId").not_null())
        .col(c.timestamp("expiresAt").not_null())
        .col(c.timestamp_now("createdAt"))
        .primary_key(
            Index::create()
                .col(col("identityProviderId"))
                .col(col("assertionId")),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        manager.create_table(provider(c)).await?;
        manager.create_table(login_state(c)).await?;
        manager.create_table(used_assertion(c)).await?;
        manager
            .create_index(
                Index::create()
                    .name("IDX_workspaceSSOIdentityProvider_workspaceId")
                    .table(c.table("workspaceSSOIdentityProvider"))
                    .col(col("workspaceId"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let c = Cols {
            backend: manager.get_database_backend(),
        };
        for table in [
            "ssoUsedAssertion",
            "ssoLoginState",
            "workspaceSSOIdentityProvider",
        ] {
            manager
                .drop_table(Table::drop().table(c.table(table)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
