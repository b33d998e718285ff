//! The SAML test identity provider (`saml-idp` from `tests/sso-peers`) and a reqwest
//! "browser" for it: our AuthnRequest → its sign-in form → its auto-post form with a signed
//! `SAMLResponse` → our ACS.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use axum::body::Body;
use axum::http::Request;
use tessera_server::AppState;
use tokio::process::{Child, Command};

use super::{location, peers_dir, require_peers};
use crate::common;

/// A self-signed RSA key and certificate (PEM files) made with `openssl`.
pub struct IdpKey {
    /// Certificate file.
    pub cert: PathBuf,
    /// Private key file.
    pub key: PathBuf,
    /// Certificate PEM text.
    pub cert_pem: String,
}

impl IdpKey {
    /// Makes a key pair in `dir` named `name`.
    pub fn generate(dir: &Path, name: &str) -> IdpKey {
        let cert = dir.join(format!("{name}-cert.pem"));
        let key = dir.join(format!("{name}-key.pem"));
        let status = std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args(["-subj", "/CN=tessera-test-idp"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("openssl must be installed to make the SAML test IdP's key");
        assert!(status.success(), "openssl failed");
        let cert_pem = std::fs::read_to_string(&cert).expect("cert");
        IdpKey {
            cert,
            key,
            cert_pem,
        }
    }
}

/// How to start a SAML IdP.
#[derive(Clone, Copy)]
pub struct SamlIdpOptions<'a> {
    /// Signing key.
    pub key: &'a IdpKey,
    /// Issuer (entity id).
    pub issuer: &'a str,
    /// Audience it puts in assertions.
    pub audience: &'a str,
    /// ACS URL it posts to (unless the AuthnRequest names one and `fixed_acs` is false).
    pub acs_url: &'a str,
    /// Ignore the AuthnRequest's ACS URL (`--disableRequestAcsUrl`).
    pub fixed_acs: bool,
    /// Clock offset of the IdP in seconds.
    pub clock_offset_seconds: i64,
}

/// A running `saml-idp`, killed on drop.
pub struct SamlIdp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    _child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

impl SamlIdp {
    /// Starts `saml-idp` and waits until it serves ITS metadata (the one with this key's
    /// certificate: a free port can be taken by another test's IdP between the probe and the
    /// bind, and that IdP would sign with another key). Retries on another port when the
    /// process exits or the port answers with someone else's metadata.
    pub async fn start(o: SamlIdpOptions<'_>) -> SamlIdp {
        require_peers();
        let cert_body: String = o
            .key
            .cert_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let http = reqwest::Client::new();
        for _attempt in 0..5 {
            let port = free_port();
            let mut child = Self::spawn(o, port);
            let base = format!("http://127.0.0.1:{port}");
            for _ in 0..150 {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if let Ok(r) = http.get(format!("{base}/metadata")).send().await
                    && r.status().is_success()
                {
                    let body = r.text().await.unwrap_or_default();
                    let compact: String = body.split_whitespace().collect();
                    if compact.contains(&cert_body) {
                        return SamlIdp {
                            base,
                            _child: child,
                        };
                    }
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let _ = child.kill().await;
        }
        panic!("saml-idp did not start with its own key within 5 attempts");
    }

    fn spawn(o: SamlIdpOptions<'_>, port: u16) -> Child {
        let mut cmd = Command::new("node");
        cmd.arg("-r")
            .arg("./shift-clock.cjs")
            .arg("node_modules/saml-idp/bin/run.js")
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--issuer", o.issuer, "--audience", o.audience])
            .args(["--acsUrl", o.acs_url])
            .arg("--cert")
            .arg(&o.key.cert)
            .arg("--key")
            .arg(&o.key.key)
            .env("SHIFT_CLOCK_SECONDS", o.clock_offset_seconds.to_string())
            .current_dir(peers_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if o.fixed_acs {
            cmd.arg("--disableRequestAcsUrl");
        }
        cmd.spawn().expect("node must be installed to run saml-idp")
    }

    /// Our AuthnRequest URL sent to this IdP instead of the provider's configured one.
    pub fn retarget(&self, authn_url: &str) -> String {
        let u = url::Url::parse(authn_url).expect("url");
        format!("{}{}?{}", self.base, u.path(), u.query().unwrap_or(""))
    }

    /// Plays the user at the IdP: opens the AuthnRequest URL (the IdP parses our request
    /// and shows its sign-in form), signs in as `email`, and returns the ACS URL and the
    /// signed `SAMLResponse` of the auto-post form.
    pub async fn sign_in(&self, authn_url: &str, email: &str) -> (String, String) {
        let http = reqwest::Client::new();
        let page = http
            .get(self.retarget(authn_url))
            .send()
            .await
            .expect("sso page")
            .text()
            .await
            .expect("text");
        let authn = between(&page, "name=\"_authnRequest\" type='hidden' value='", "'")
            .unwrap_or_else(|| panic!("the IdP did not accept our AuthnRequest: {page}"));
        let form = http
            .post(format!("{}/signin", self.base))
            .form(&[
                ("_authnRequest", authn.as_str()),
                ("userName", email),
                (
                    "nameIdFormat",
                    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                ),
                ("firstName", "Saml"),
                ("lastName", "Jackson"),
                ("email", email),
            ])
            .send()
            .await
            .expect("signin")
            .text()
            .await
            .expect("text");
        let action = between(&form, "action=\"", "\"")
            .unwrap_or_else(|| panic!("no auto-post form: {form}"));
        let at = form
            .find("name=\"SAMLResponse\"")
            .unwrap_or_else(|| panic!("no SAMLResponse in the IdP's answer: {form}"));
        let response = between(&form[at..], "value=\"", "\"").expect("SAMLResponse value");
        (action, response)
    }
}

/// The text between `start` and the next `end`, HTML entities decoded (as a browser
/// would submit the field).
pub fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(
        text[from..from + len]
            .replace("&#x3D;", "=")
            .replace("&#x2F;", "/")
            .replace("&#x27;", "'")
            .replace("&#x60;", "`")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// POSTs a `SAMLResponse` to our ACS path and returns the app's redirect.
pub async fn post_response(state: &AppState, acs_path: &str, saml_response: &str) -> String {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLResponse", saml_response)
        .finish();
    let reply = common::send(
        state,
        Request::post(acs_path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    location(&reply)
}

/// The XML of a base64 `SAMLResponse`.
pub fn decode(saml_response: &str) -> String {
    use base64::Engine;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(saml_response)
            .expect("base64"),
    )
    .expect("utf-8")
}

/// A base64 `SAMLResponse` of `xml`.
pub fn encode(xml: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// `xml` without its `<ds:Signature>` / `<Signature>` elements.
pub fn strip_signatures(xml: &str) -> String {
    let mut out = xml.to_owned();
    for (open, close) in [
        ("<ds:Signature", "</ds:Signature>"),
        ("<Signature", "</Signature>"),
    ] {
        while let Some(start) = out.find(open) {
            let end = out[start..].find(close).expect("closing tag") + start + close.len();
            out.replace_range(start..end, "");
        }
    }
    out
}
