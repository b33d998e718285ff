//! The `workspaceSSOIdentityProvider` system table.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use tessera_core::WorkspaceId;
use uuid::Uuid;

use crate::{Store, StoreError};

/// Twenty's `SSOIdentityProviderStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoProviderStatus {
    /// Usable for login.
    Active,
    /// Switched off by an administrator: logins are refused.
    Inactive,
    /// Misconfigured: logins are refused.
    Error,
}

impl SsoProviderStatus {
    /// The stored name (`Active`, `Inactive`, `Error`).
    pub fn as_str(self) -> &'static str {
        match self {
            SsoProviderStatus::Active => "Active",
            SsoProviderStatus::Inactive => "Inactive",
            SsoProviderStatus::Error => "Error",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "Active" => Ok(Self::Active),
            "Inactive" => Ok(Self::Inactive),
            "Error" => Ok(Self::Error),
            other => Err(StoreError::corrupt(format!("unknown SSO status {other}"))),
        }
    }
}

/// Twenty's `IdentityProviderType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoProviderKind {
    /// OpenID Connect (issuer, client id and secret).
    Oidc,
    /// SAML 2.0 (IdP SSO URL and signing certificate).
    Saml,
}

impl SsoProviderKind {
    /// The stored name (`OIDC`, `SAML`).
    pub fn as_str(self) -> &'static str {
        match self {
            SsoProviderKind::Oidc => "OIDC",
            SsoProviderKind::Saml => "SAML",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "OIDC" => Ok(Self::Oidc),
            "SAML" => Ok(Self::Saml),
            other => Err(StoreError::corrupt(format!("unknown SSO type {other}"))),
        }
    }
}

/// A row of `workspaceSSOIdentityProvider`. `Debug` hides `client_secret`.
#[derive(Clone, PartialEq)]
pub struct SsoProviderRecord {
    /// Provider id (SAML: chosen by the client so SP metadata URLs exist before creation).
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Status.
    pub status: SsoProviderStatus,
    /// OIDC or SAML.
    pub kind: SsoProviderKind,
    /// OIDC issuer URL; SAML IdP entity id.
    pub issuer: String,
    /// OIDC client id.
    pub client_id: Option<String>,
    /// OIDC client secret (never returned by the API, never logged).
    pub client_secret: Option<String>,
    /// SAML IdP single sign-on URL (redirect binding).
    pub sso_url: Option<String>,
    /// SAML IdP signing certificate (PEM or bare base64 DER).
    pub certificate: Option<String>,
    /// SAML certificate fingerprint (informational, as in Twenty).
    pub fingerprint: Option<String>,
    /// The workspace the provider logs users into.
    pub workspace_id: WorkspaceId,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for SsoProviderRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoProviderRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("status", &self.status)
            .field("kind", &self.kind)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("sso_url", &self.sso_url)
            .field("workspace_id", &self.workspace_id)
            .finish_non_exhaustive()
    }
}

/// A provider to store.
#[derive(Clone)]
pub struct NewSsoProvider<'a> {
    /// Id (SAML: client-chosen; OIDC: a fresh one).
    pub id: Uuid,
    /// Owner workspace.
    pub workspace_id: WorkspaceId,
    /// Display name.
    pub name: &'a str,
    /// OIDC or SAML.
    pub kind: SsoProviderKind,
    /// Issuer.
    pub issuer: &'a str,
    /// OIDC client id.
    pub client_id: Option<&'a str>,
    /// OIDC client secret.
    pub client_secret: Option<&'a str>,
    /// SAML SSO URL.
    pub sso_url: Option<&'a str>,
    /// SAML certificate.
    pub certificate: Option<&'a str>,
    /// SAML fingerprint.
    pub fingerprint: Option<&'a str>,
}

const COLUMNS: &str = "\"id\", \"name\", \"status\", \"type\", \"issuer\", \"clientID\", \"clientSecret\", \
     \"ssoURL\", \"certificate\", \"fingerprint\", \"workspaceId\", \"createdAt\", \"updatedAt\"";

impl Store {
    fn sso_provider_record(&self, row: &QueryResult) -> Result<SsoProviderRecord, StoreError> {
        let sys = self.sys();
        Ok(SsoProviderRecord {
            id: sys.get_uuid(row, "id")?,
            name: sys.get_text(row, "name")?,
            status: SsoProviderStatus::parse(&sys.get_text(row, "status")?)?,
            kind: SsoProviderKind::parse(&sys.get_text(row, "type")?)?,
            issuer: sys.get_text(row, "issuer")?,
            client_id: sys.get_opt_text(row, "clientID")?,
            client_secret: sys.get_opt_text(row, "clientSecret")?,
            sso_url: sys.get_opt_text(row, "ssoURL")?,
            certificate: sys.get_opt_text(row, "certificate")?,
            fingerprint: sys.get_opt_text(row, "fingerprint")?,
            workspace_id: WorkspaceId(sys.get_uuid(row, "workspaceId")?),
            created_at: sys.get_ts(row, "createdAt")?,
            updated_at: sys.get_ts(row, "updatedAt")?,
        })
    }

    /// Stores a provider (status `Active`) and returns it. Errors:
    /// [`StoreError::Database`] (duplicate id, unknown workspace on PostgreSQL).
    pub async fn create_sso_provider(
        &self,
        p: NewSsoProvider<'_>,
    ) -> Result<SsoProviderRecord, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "INSERT INTO {} (\"id\", \"name\", \"status\", \"type\", \"issuer\", \"clientID\", \"clientSecret\", \
             \"ssoURL\", \"certificate\", \"fingerprint\", \"workspaceId\") VALUES {}",
            sys.table("workspaceSSOIdentityProvider"),
            sys.tuple(1, 11)
        );
        let values = vec![
            sys.uuid(p.id),
            sys.text(p.name),
            sys.text(SsoProviderStatus::Active.as_str()),
            sys.text(p.kind.as_str()),
            sys.text(p.issuer),
            sys.opt_text(p.client_id),
            sys.opt_text(p.client_secret),
            sys.opt_text(p.sso_url),
            sys.opt_text(p.certificate),
            sys.opt_text(p.fingerprint),
            sys.uuid(p.workspace_id.0),
        ];
        self.backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await?;
        self.sso_provider(p.id)
            .await?
            .ok_or_else(|| StoreError::corrupt("created SSO provider is not readable"))
    }

    /// The provider with this id, whatever its workspace (login routes start from the id).
    pub async fn sso_provider(&self, id: Uuid) -> Result<Option<SsoProviderRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE \"id\" = {}",
            sys.table("workspaceSSOIdentityProvider"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.uuid(id)]))
            .await?;
        row.map(|r| self.sso_provider_record(&r)).transpose()
    }

    /// The workspace's providers, oldest first.
    pub async fn workspace_sso_providers(
        &self,
        ws: WorkspaceId,
    ) -> Result<Vec<SsoProviderRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "SELECT {COLUMNS} FROM {} WHERE \"workspaceId\" = {} ORDER BY \"createdAt\", \"id\"",
            sys.table("workspaceSSOIdentityProvider"),
            sys.p(1)
        );
        let rows = self
            .backend()
            .system()
            .query_all_raw(sys.stmt(sql, vec![sys.uuid(ws.0)]))
            .await?;
        rows.iter().map(|r| self.sso_provider_record(r)).collect()
    }

    /// Sets the status of the workspace's provider `id`; `None` when `ws` has no such
    /// provider (another workspace's provider is never changed).
    pub async fn set_sso_provider_status(
        &self,
        ws: WorkspaceId,
        id: Uuid,
        status: SsoProviderStatus,
    ) -> Result<Option<SsoProviderRecord>, StoreError> {
        let sys = self.sys();
        let now = sys.now();
        let sql = format!(
            "UPDATE {} SET \"status\" = {}, \"updatedAt\" = {now} WHERE \"id\" = {} AND \"workspaceId\" = {}",
            sys.table("workspaceSSOIdentityProvider"),
            sys.p(1),
            sys.p(2),
            sys.p(3)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(
                sql,
                vec![sys.text(status.as_str()), sys.uuid(id), sys.uuid(ws.0)],
            ))
            .await?;
        if result.rows_affected() == 0 {
            return Ok(None);
        }
        self.sso_provider(id).await
    }

    /// Deletes the workspace's provider `id`; `false` when `ws` has no such provider.
    pub async fn delete_sso_provider(&self, ws: WorkspaceId, id: Uuid) -> Result<bool, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "DELETE FROM {} WHERE \"id\" = {} AND \"workspaceId\" = {}",
            sys.table("workspaceSSOIdentityProvider"),
            sys.p(1),
            sys.p(2)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(sql, vec![sys.uuid(id), sys.uuid(ws.0)]))
            .await?;
        Ok(result.rows_affected() == 1)
    }
}
