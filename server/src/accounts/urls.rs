//! Workspace URLs (Twenty's `workspaceUrls.subdomainUrl`) and resolving a workspace from a
//! browser origin.

/// `(scheme, host, rest)` of `http://host:port/path` → `("http", "host", ":port/path")`.
fn split_url(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, after) = url.split_once("://")?;
    let end = after.find([':', '/', '?', '#']).unwrap_or(after.len());
    Some((scheme, &after[..end], &after[end..]))
}

/// The URL of a workspace: the front-end URL with `<subdomain>.` before its host
/// (`http://localhost:3001` + `acme` → `http://acme.localhost:3001`); the front-end URL itself
/// when there is no subdomain. A trailing `/` is dropped.
pub fn workspace_url(frontend_url: &str, subdomain: Option<&str>) -> String {
    let base = frontend_url.trim_end_matches('/');
    match (subdomain, split_url(base)) {
        (Some(sub), Some((scheme, host, rest))) => format!("{scheme}://{sub}.{host}{rest}"),
        _ => base.to_owned(),
    }
}

/// The subdomain an origin names relative to the front-end URL:
/// `http://acme.localhost:3001` → `acme`. `None` when the origin is not under the front end's
/// host (or is the front end itself).
pub fn origin_subdomain(frontend_url: &str, origin: &str) -> Option<String> {
    let (_, front_host, _) = split_url(frontend_url.trim())?;
    let (_, host, _) = split_url(origin.trim())?;
    let host = host.to_lowercase();
    let sub = host.strip_suffix(&format!(".{}", front_host.to_lowercase()))?;
    (!sub.is_empty() && !sub.contains('.')).then(|| sub.to_owned())
}

/// `value` percent-encoded for a URL query (RFC 3986 unreserved characters kept).
pub fn query_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            workspace_url("http://localhost:3001/", Some("acme")),
            "http://acme.localhost:3001"
        );
        assert_eq!(workspace_url("https://app.io", None), "https://app.io");
        assert_eq!(
            origin_subdomain("http://localhost:3001", "http://Acme.localhost:3001"),
            Some("acme".to_owned())
        );
        assert_eq!(
            origin_subdomain("http://localhost:3001", "http://localhost:3001"),
            None
        );
        assert_eq!(query_encode("a+b@c.io"), "a%2Bb%40c.io");
    }
}
