//! The `--web.config.file` (prometheus/exporter-toolkit format): TLS server settings and
//! basic-auth users with bcrypt hashes; the checks ([`auth`]) and the reload on change
//! ([`reload`]).

mod auth;
mod reload;

pub use auth::{Authenticator, MAX_BCRYPT_COST, QUEUE, Verdict, WORKERS, bcrypt_cost, dummy_hash};
pub use reload::{RELOAD_CHECK_EVERY, WebState};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

use crate::config::{CONFIG_LIMITS, ConfigError, parse_yaml, read_bounded};
use crate::metrics::ResponseBody;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tls_server_config: Option<TlsFile>,
    #[serde(default)]
    basic_auth_users: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert_file: PathBuf,
    key_file: PathBuf,
    #[serde(default)]
    client_auth_type: ClientAuth,
    client_ca_file: Option<PathBuf>,
    #[serde(default)]
    min_version: TlsVersion,
    max_version: Option<TlsVersion>,
}

impl TlsFile {
    /// The files this section names, resolved against `base`.
    fn files(&self, base: &Path) -> Vec<PathBuf> {
        [
            Some(&self.cert_file),
            Some(&self.key_file),
            self.client_ca_file.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|p| resolve(base, p))
        .collect()
    }
}

fn resolve(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        base.join(p)
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
enum ClientAuth {
    #[default]
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
enum TlsVersion {
    #[default]
    TLS12,
    TLS13,
}

/// One loaded web configuration: what a connection or request needs from the file.
pub struct WebConfig {
    tls: Option<tokio_rustls::TlsAcceptor>,
    users: BTreeMap<String, Arc<str>>,
    dummy_hash: Arc<str>,
    /// The files the configuration names (certificate, key, client CA).
    files: Vec<PathBuf>,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("tls", &self.tls.is_some())
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .field("files", &self.files)
            .finish()
    }
}

impl WebConfig {
    /// Reads and validates the file: certificates and keys must load, hashes must be
    /// bcrypt with a cost of at most [`MAX_BCRYPT_COST`].
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = read_bounded(path, CONFIG_LIMITS)?;
        Self::parse(&text, path)
    }

    /// Validates web config `text`; `path` names it in errors and is the base of the
    /// relative paths in it (which are read).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            parse_yaml(text, path)?
        };
        let invalid = |field: &str, message: String| ConfigError::Invalid {
            origin: path.display().to_string(),
            field: field.to_owned(),
            message,
        };
        let mut costs = BTreeMap::<u32, usize>::new();
        for (user, hash) in &file.basic_auth_users {
            let field = format!("basic_auth_users.{user}");
            let cost = bcrypt_cost(hash).ok_or_else(|| {
                invalid(
                    &field,
                    "not a bcrypt hash (expected $2y$..., 60 characters)".into(),
                )
            })?;
            if cost > MAX_BCRYPT_COST {
                return Err(invalid(
                    &field,
                    format!(
                        "bcrypt cost {cost} is above the limit of {MAX_BCRYPT_COST} (every step \
                         doubles the work of each login; hash again with e.g. htpasswd -nBC 10)"
                    ),
                ));
            }
            *costs.entry(cost).or_default() += 1;
        }
        // Unknown users pay what most users cost (ties: the higher cost).
        let dummy_cost = costs
            .iter()
            .max_by_key(|(cost, n)| (**n, **cost))
            .map_or(10, |(cost, _)| *cost);
        let base = path.parent().unwrap_or(Path::new("."));
        let (tls, files) = match file.tls_server_config {
            None => (None, Vec::new()),
            Some(t) => {
                let files = t.files(base);
                let tls = build_tls(&t, base)
                    .map_err(|(field, m)| invalid(&format!("tls_server_config.{field}"), m))?;
                (Some(tls), files)
            }
        };
        Ok(WebConfig {
            tls,
            users: file
                .basic_auth_users
                .into_iter()
                .map(|(u, h)| (u, Arc::from(h)))
                .collect(),
            dummy_hash: dummy_hash(dummy_cost),
            files,
        })
    }

    /// The TLS acceptor, when TLS is configured.
    pub fn tls_acceptor(&self) -> Option<tokio_rustls::TlsAcceptor> {
        self.tls.clone()
    }

    /// True when basic auth is configured.
    pub fn requires_auth(&self) -> bool {
        !self.users.is_empty()
    }

    /// The files this configuration names (watched for changes besides the file itself).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The bcrypt cost unknown users are checked at.
    pub fn dummy_cost(&self) -> Option<u32> {
        bcrypt_cost(&self.dummy_hash)
    }
}

/// The parsed `Authorization: Basic` credentials (scheme matched case-insensitively).
fn basic_credentials(headers: &hyper::HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `None` when the request may proceed, else the response to send: 401 for missing or
/// wrong credentials, 503 when the check cannot run now.
pub async fn authorize(
    config: &WebConfig,
    auth: &Authenticator,
    headers: &hyper::HeaderMap,
) -> Option<Response<ResponseBody>> {
    if !config.requires_auth() {
        return None;
    }
    let verdict = match basic_credentials(headers) {
        None => Verdict::Denied,
        Some((user, password)) => {
            auth.check(
                &user,
                &password,
                config.users.get(&user),
                &config.dummy_hash,
            )
            .await
        }
    };
    let (status, body, header) = match verdict {
        Verdict::Allowed => return None,
        Verdict::Denied => (
            StatusCode::UNAUTHORIZED,
            &b"401 Unauthorized\n"[..],
            (
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"directconnect-exporter\""),
            ),
        ),
        Verdict::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            &b"503 Service Unavailable: too many credential checks in progress\n"[..],
            (header::RETRY_AFTER, HeaderValue::from_static("1")),
        ),
    };
    let mut resp = Response::new(ResponseBody::full(Bytes::from_static(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(header.0, header.1);
    Some(resp)
}

fn build_tls(
    t: &TlsFile,
    base: &Path,
) -> Result<tokio_rustls::TlsAcceptor, (&'static str, String)> {
    let resolve = |p: &Path| resolve(base, p);
    let cert_path = resolve(&t.cert_file);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ("cert_file", format!("{}: {e}", cert_path.display())))?;
    if certs.is_empty() {
        return Err((
            "cert_file",
            format!("{}: no certificate found", cert_path.display()),
        ));
    }
    let key_path = resolve(&t.key_file);
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| ("key_file", format!("{}: {e}", key_path.display())))?;

    let versions: Vec<&'static rustls::SupportedProtocolVersion> = [
        (TlsVersion::TLS12, &rustls::version::TLS12),
        (TlsVersion::TLS13, &rustls::version::TLS13),
    ]
    .into_iter()
    .filter(|(v, _)| *v >= t.min_version && t.max_version.is_none_or(|max| *v <= max))
    .map(|(_, p)| p)
    .collect();
    if versions.is_empty() {
        return Err(("min_version", "min_version is above max_version".into()));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| ("min_version", e.to_string()))?;
    let needs_ca = matches!(
        t.client_auth_type,
        ClientAuth::VerifyClientCertIfGiven | ClientAuth::RequireAndVerifyClientCert
    );
    let builder = if needs_ca {
        let ca = t.client_ca_file.as_ref().ok_or((
            "client_ca_file",
            "required by this client_auth_type".to_owned(),
        ))?;
        let ca_path = resolve(ca);
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&ca_path)
            .map_err(|e| ("client_ca_file", format!("{}: {e}", ca_path.display())))?
        {
            let cert =
                cert.map_err(|e| ("client_ca_file", format!("{}: {e}", ca_path.display())))?;
            roots
                .add(cert)
                .map_err(|e| ("client_ca_file", format!("{}: {e}", ca_path.display())))?;
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
        let verifier = if t.client_auth_type == ClientAuth::VerifyClientCertIfGiven {
            verifier.allow_unauthenticated()
        } else {
            verifier
        };
        builder.with_client_cert_verifier(
            verifier
                .build()
                .map_err(|e| ("client_ca_file", e.to_string()))?,
        )
    } else if t.client_auth_type == ClientAuth::NoClientCert {
        builder.with_no_client_auth()
    } else {
        return Err((
            "client_auth_type",
            "RequestClientCert and RequireAnyClientCert are not supported; use VerifyClientCertIfGiven or RequireAndVerifyClientCert".into(),
        ));
    };
    let config = builder
        .with_single_cert(certs, key)
        .map_err(|e| ("key_file", format!("certificate and key do not match: {e}")))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tempdir() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "dx-web-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn unknown_keys_and_bad_hashes_are_rejected() {
        let d = tempdir();
        let p = write(&d, "web.yml", "basic_auth_users:\n  admin: plain\n");
        let e = WebConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("basic_auth_users.admin"), "{e}");
        let p = write(&d, "web2.yml", "tls_server_config:\n  cert: x\n");
        let e = WebConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("web2.yml:2:"), "{e}");
        let p = write(
            &d,
            "web3.yml",
            "tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n",
        );
        let e = WebConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("tls_server_config.cert_file"), "{e}");
    }

    #[tokio::test]
    async fn basic_auth_accepts_the_right_password_only_with_any_scheme_case() {
        let d = tempdir();
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let p = write(
            &d,
            "web.yml",
            &format!("basic_auth_users:\n  prom: '{hash}'\n"),
        );
        let web = WebConfig::load(&p).unwrap();
        let auth = Authenticator::default();
        let status = |value: Option<String>| {
            let mut h = hyper::HeaderMap::new();
            if let Some(v) = value {
                h.insert(header::AUTHORIZATION, v.parse().unwrap());
            }
            let (web, auth) = (&web, &auth);
            async move { authorize(web, auth, &h).await.map(|r| r.status()) }
        };
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        assert_eq!(status(None).await, Some(StatusCode::UNAUTHORIZED));
        for scheme in ["Basic", "basic", "BASIC", "bAsIc"] {
            let v = format!("{scheme} {}", b64("prom:s3cret"));
            assert_eq!(status(Some(v)).await, None, "{scheme}");
        }
        let v = format!("Basic {}", b64("prom:nope"));
        assert_eq!(status(Some(v)).await, Some(StatusCode::UNAUTHORIZED));
        let v = format!("Bearer {}", b64("prom:s3cret"));
        assert_eq!(status(Some(v)).await, Some(StatusCode::UNAUTHORIZED));
        assert_eq!(
            status(Some("Basic !!!".into())).await,
            Some(StatusCode::UNAUTHORIZED)
        );
    }

    #[test]
    fn bcrypt_costs_above_16_are_refused_at_load() {
        let d = tempdir();
        let hash = bcrypt::hash("x", 4).unwrap().replacen("$04$", "$31$", 1);
        let p = write(
            &d,
            "web.yml",
            &format!("basic_auth_users:\n  slow: '{hash}'\n"),
        );
        let e = WebConfig::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("basic_auth_users.slow")
                && e.contains("bcrypt cost 31 is above the limit of 16"),
            "{e}"
        );
        let ok = bcrypt::hash("x", 4).unwrap().replacen("$04$", "$16$", 1);
        let p = write(&d, "web2.yml", &format!("basic_auth_users:\n  a: '{ok}'\n"));
        assert!(WebConfig::load(&p).is_ok());
    }

    #[test]
    fn unknown_users_are_checked_at_the_users_cost() {
        let d = tempdir();
        let h = |cost: u32| {
            bcrypt::hash("x", 4)
                .unwrap()
                .replacen("$04$", &format!("${cost:02}$"), 1)
        };
        let p = write(
            &d,
            "web.yml",
            &format!(
                "basic_auth_users:\n  a: '{}'\n  b: '{}'\n  c: '{}'\n",
                h(12),
                h(12),
                h(8)
            ),
        );
        assert_eq!(WebConfig::load(&p).unwrap().dummy_cost(), Some(12));
        let p = write(
            &d,
            "web2.yml",
            &format!("basic_auth_users:\n  a: '{}'\n", h(14)),
        );
        assert_eq!(WebConfig::load(&p).unwrap().dummy_cost(), Some(14));
    }
}
