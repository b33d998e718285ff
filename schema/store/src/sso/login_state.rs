//! The `ssoLoginState` system table: what a login callback needs to finish a flow started
//! on any server instance (OAuth `state`, OIDC `nonce`, PKCE verifier, SAML request id).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use uuid::Uuid;

use crate::{Store, StoreError};

/// A login state to store. `Debug` hides the nonce and the PKCE verifier.
#[derive(Clone)]
pub struct NewSsoLoginState<'a> {
    /// SHA-256 hex of the OAuth `state` value (or of the SAML request id): the look-up key.
    pub state_key: &'a str,
    /// Flow kind (`oidc`, `google`, `microsoft`, `saml`).
    pub kind: &'a str,
    /// The workspace identity provider (SSO flows).
    pub identity_provider_id: Option<Uuid>,
    /// OIDC nonce.
    pub nonce: Option<&'a str>,
    /// PKCE code verifier (RFC 7636).
    pub pkce_verifier: Option<&'a str>,
    /// SAML AuthnRequest id.
    pub saml_request_id: Option<&'a str>,
    /// Extra data (invitation token, workspace hint), JSON.
    pub context: Option<serde_json::Value>,
    /// After this instant the state is refused.
    pub expires_at: DateTime<Utc>,
}

/// A stored login state, as taken back by the callback. `Debug` hides the secrets.
#[derive(Clone, PartialEq)]
pub struct SsoLoginStateRecord {
    /// Row id.
    pub id: Uuid,
    /// Flow kind.
    pub kind: String,
    /// The workspace identity provider (SSO flows).
    pub identity_provider_id: Option<Uuid>,
    /// OIDC nonce.
    pub nonce: Option<String>,
    /// PKCE code verifier.
    pub pkce_verifier: Option<String>,
    /// SAML request id.
    pub saml_request_id: Option<String>,
    /// Extra data.
    pub context: Option<serde_json::Value>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for SsoLoginStateRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoLoginStateRecord")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("identity_provider_id", &self.identity_provider_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "\"id\", \"kind\", \"identityProviderId\", \"nonce\", \"pkceVerifier\", \"samlRequestId\", \
     \"context\", \"expiresAt\", \"createdAt\"";

impl Store {
    fn login_state_record(&self, row: &QueryResult) -> Result<SsoLoginStateRecord, StoreError> {
        let sys = self.sys();
        Ok(SsoLoginStateRecord {
            id: sys.get_uuid(row, "id")?,
            kind: sys.get_text(row, "kind")?,
            identity_provider_id: sys.get_opt_uuid(row, "identityProviderId")?,
            nonce: sys.get_opt_text(row, "nonce")?,
            pkce_verifier: sys.get_opt_text(row, "pkceVerifier")?,
            saml_request_id: sys.get_opt_text(row, "samlRequestId")?,
            context: sys.get_json(row, "context")?,
            expires_at: sys.get_ts(row, "expiresAt")?,
            created_at: sys.get_ts(row, "createdAt")?,
        })
    }

    /// Stores a login state (and drops expired ones). Errors: [`StoreError::Database`]
    /// (e.g. a duplicate `state_key`).
    pub async fn create_sso_login_state(
        &self,
        state: NewSsoLoginState<'_>,
    ) -> Result<(), StoreError> {
        let sys = self.sys();
        let purge = format!(
            "DELETE FROM {} WHERE \"expiresAt\" < {}",
            sys.table("ssoLoginState"),
            sys.now()
        );
        self.backend()
            .system()
            .execute_raw(sys.stmt(purge, Vec::new()))
            .await?;
        let sql = format!(
            "INSERT INTO {} (\"id\", \"stateKey\", \"kind\", \"identityProviderId\", \"nonce\", \"pkceVerifier\", \
             \"samlRequestId\", \"context\", \"expiresAt\") VALUES {}",
            sys.table("ssoLoginState"),
            sys.tuple(1, 9)
        );
        let values = vec![
            sys.uuid(Uuid::new_v4()),
            sys.text(state.state_key),
            sys.text(state.kind),
            sys.opt_uuid(state.identity_provider_id),
            sys.opt_text(state.nonce),
            sys.opt_text(state.pkce_verifier),
            sys.opt_text(state.saml_request_id),
            sys.json(state.context.as_ref()),
            sys.ts(state.expires_at),
        ];
        self.backend()
            .system()
            .execute_raw(sys.stmt(sql, values))
            .await?;
        Ok(())
    }

    /// Takes (deletes and returns) the unexpired login state with this key: a state works
    /// once only; of concurrent callers at most one gets it. `None` for an unknown, used or
    /// expired state.
    pub async fn take_sso_login_state(
        &self,
        state_key: &str,
    ) -> Result<Option<SsoLoginStateRecord>, StoreError> {
        let sys = self.sys();
        let sql = format!(
            "DELETE FROM {} WHERE \"stateKey\" = {} RETURNING {COLUMNS}",
            sys.table("ssoLoginState"),
            sys.p(1)
        );
        let row = self
            .backend()
            .system()
            .query_one_raw(sys.stmt(sql, vec![sys.text(state_key)]))
            .await?;
        let record = row.map(|r| self.login_state_record(&r)).transpose()?;
        Ok(record.filter(|r| r.expires_at > Utc::now()))
    }
}
