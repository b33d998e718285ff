//! Which webhook target URLs may be called (SSRF protection, like Twenty's
//! `webhook-url-validation.service.ts` and its SSRF-safe outbound client).
//!
//! A URL must be `http` or `https` with a host; every address the host resolves to must be
//! public: loopback, private (RFC 1918, IPv6 unique-local `fc00::/7`), link-local
//! (`169.254/16`, `fe80::/10`), CGNAT (`100.64/10`), unspecified, broadcast, multicast,
//! documentation and IPv4-mapped forms of those are refused unless the operator sets
//! `allow_private` (`TESSERA_WEBHOOK_ALLOW_PRIVATE_TARGETS=true`). The check runs when a
//! webhook is created or updated AND before every delivery (DNS answers can change); the
//! delivery client also resolves through [`GuardedResolver`], so the connection uses an address
//! that passed the check, and redirects are not followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use tessera_core::{CodedError, ErrorCode};

/// What the operator allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Allow targets on loopback and private networks (tests, on-premise receivers).
    pub allow_private: bool,
}

/// Why a target URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not an absolute `http(s)` URL with a host.
    #[error("Invalid webhook URL: {0}")]
    Invalid(String),
    /// The host does not resolve.
    #[error("Webhook URL host {0} cannot be resolved")]
    Unresolvable(String),
    /// The host resolves to a non-public address and the policy does not allow that.
    #[error("Webhook URL {0} resolves to a private or loopback address, which is not allowed")]
    Private(String),
}

impl CodedError for UrlError {
    fn code(&self) -> ErrorCode {
        ErrorCode::BadUserInput
    }
}

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg0 = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00
                || (seg0 & 0xffc0) == 0xfe80
                || (seg0 == 0x2001 && v6.segments()[1] == 0x0db8)
                || v6 == Ipv6Addr::LOCALHOST)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || o[0] >= 240)
}

/// Parses `url` and checks its scheme and host syntax (no DNS).
/// Errors: [`UrlError::Invalid`].
pub fn parse(url: &str) -> Result<reqwest::Url, UrlError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| UrlError::Invalid(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UrlError::Invalid(format!(
            "scheme {} is not http or https",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::Invalid("no host".to_owned()));
    }
    Ok(parsed)
}

/// Checks `url` against `policy`, resolving its host.
/// Errors: [`UrlError::Invalid`], [`UrlError::Unresolvable`], [`UrlError::Private`].
pub async fn check(url: &str, policy: UrlPolicy) -> Result<(), UrlError> {
    let parsed = parse(url)?;
    if policy.allow_private {
        return Ok(());
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| UrlError::Unresolvable(host.clone()))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(UrlError::Unresolvable(host));
    }
    if addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(UrlError::Private(url.to_owned()));
    }
    Ok(())
}

/// A DNS resolver for the delivery client that drops non-public addresses (unless the policy
/// allows them), so a host that passed [`check`] cannot be re-pointed at a private address
/// between the check and the connection.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    /// The policy applied to every answer.
    pub policy: UrlPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| policy.allow_private || is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(UrlError::Private(name.as_str().to_owned()))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl GuardedResolver {
    /// As an `Arc` for `reqwest::ClientBuilder::dns_resolver`.
    pub fn shared(policy: UrlPolicy) -> Arc<Self> {
        Arc::new(Self { policy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }

    #[tokio::test]
    async fn refuses_private_targets_unless_allowed() {
        let deny = UrlPolicy::default();
        let allow = UrlPolicy {
            allow_private: true,
        };
        for url in [
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://[::1]/x",
            "https://10.0.0.5/hook",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(
                matches!(check(url, deny).await, Err(UrlError::Private(_))),
                "{url}"
            );
            assert_eq!(check(url, allow).await, Ok(()), "{url}");
        }
        assert!(matches!(check("https://8.8.8.8/x", deny).await, Ok(())));
        for bad in [
            "ftp://example.com/x",
            "not a url",
            "http://",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(check(bad, allow).await, Err(UrlError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
