//! The `ssoUsedAssertion` system table: SAML assertion ids already accepted.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{Store, StoreError};

impl Store {
    /// Records that provider `identity_provider_id` issued assertion `assertion_id`, kept
    /// until `expires_at` (older records are dropped). Returns `false` when it was already
    /// recorded (a replay): of concurrent callers with the same id exactly one gets `true`.
    pub async fn record_saml_assertion(
        &self,
        identity_provider_id: Uuid,
        assertion_id: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sys = self.sys();
        let table = sys.table("ssoUsedAssertion");
        let purge = format!("DELETE FROM {table} WHERE \"expiresAt\" < {}", sys.now());
        self.backend()
            .system()
            .execute_raw(sys.stmt(purge, Vec::new()))
            .await?;
        let sql = format!(
            "INSERT INTO {table} (\"identityProviderId\", \"assertionId\", \"expiresAt\") VALUES {} \
             ON CONFLICT DO NOTHING",
            sys.tuple(1, 3)
        );
        let result = self
            .backend()
            .system()
            .execute_raw(sys.stmt(
                sql,
                vec![
                    sys.uuid(identity_provider_id),
                    sys.text(assertion_id),
                    sys.ts(expires_at),
                ],
            ))
            .await?;
        Ok(result.rows_affected() == 1)
    }
}
