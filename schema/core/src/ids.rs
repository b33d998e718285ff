//! Typed identifiers.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random (v4) id.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A workspace (tenant). Every record, metadata row and token belongs to exactly one.
    WorkspaceId
);
id_type!(
    /// A workspace API key (the `jti` of its token).
    ApiKeyId
);

impl WorkspaceId {
    /// The PostgreSQL schema that holds this workspace's record tables:
    /// `workspace_` + the UUID read as a 128-bit number, printed in base 36.
    ///
    /// Follows Twenty's `getWorkspaceSchemaName` (`uuidToBase36`), so a database moved from
    /// Twenty keeps its schema names.
    pub fn schema_name(&self) -> String {
        let mut n = self.0.as_u128();
        if n == 0 {
            return "workspace_0".to_owned();
        }
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        while n > 0 {
            out.push(digits[(n % 36) as usize]);
            n /= 36;
        }
        out.reverse();
        format!("workspace_{}", String::from_utf8_lossy(&out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_name_is_base36_of_the_uuid() {
        let id: WorkspaceId = "00000000-0000-0000-0000-000000000024"
            .parse()
            .expect("uuid");
        assert_eq!(id.schema_name(), "workspace_10");
        let id: WorkspaceId = "20202020-1c25-4d02-bf25-6aeccf7ea419"
            .parse()
            .expect("uuid");
        assert!(id.schema_name().starts_with("workspace_"));
        assert!(id.schema_name().len() > 20);
    }
}
