//! The `--web.config.file` (prometheus/exporter-toolkit format): TLS server settings and
//! basic-auth users with bcrypt hashes.

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
use tokio::sync::Semaphore;

use crate::config::{CONFIG_LIMITS, ConfigError, parse_yaml, read_bounded};

/// bcrypt checks run at once at most; more wait, so bad clients cannot pin every core.
const MAX_CONCURRENT_BCRYPT: usize = 2;

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

/// A loaded web configuration.
pub struct WebConfig {
    tls: Option<tokio_rustls::TlsAcceptor>,
    users: BTreeMap<String, String>,
    bcrypt_slots: Semaphore,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("tls", &self.tls.is_some())
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl WebConfig {
    /// Reads and validates the file: certificates and keys must load, hashes must be bcrypt.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = read_bounded(path, CONFIG_LIMITS)?;
        let file: File = parse_yaml(&text, path)?;
        let invalid = |field: &str, message: String| ConfigError::Invalid {
            origin: path.display().to_string(),
            field: field.to_owned(),
            message,
        };
        for (user, hash) in &file.basic_auth_users {
            if !(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"))
                || hash.len() != 60
            {
                return Err(invalid(
                    &format!("basic_auth_users.{user}"),
                    "not a bcrypt hash (expected $2y$..., 60 characters)".into(),
                ));
            }
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let tls = match file.tls_server_config {
            None => None,
            Some(t) => Some(
                build_tls(&t, base)
                    .map_err(|(field, m)| invalid(&format!("tls_server_config.{field}"), m))?,
            ),
        };
        Ok(WebConfig {
            tls,
            users: file.basic_auth_users,
            bcrypt_slots: Semaphore::new(MAX_CONCURRENT_BCRYPT),
        })
    }

    /// The TLS acceptor, when TLS is configured.
    pub fn tls_acceptor(&self) -> Option<tokio_rustls::TlsAcceptor> {
        self.tls.clone()
    }

    /// `None` when the request may proceed, else the 401 response to send.
    pub async fn authorize(
        &self,
        headers: &hyper::HeaderMap,
    ) -> Option<Response<crate::metrics::ResponseBody>> {
        if self.users.is_empty() {
            return None;
        }
        let credentials = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
        if let Some((user, password)) = credentials {
            // Unknown users still pay for a bcrypt check, so timing does not reveal them.
            let (hash, known) = match self.users.get(&user) {
                Some(h) => (h.clone(), true),
                None => (DUMMY_HASH.to_owned(), false),
            };
            let ok = match self.bcrypt_slots.acquire().await {
                Ok(_permit) => tokio::task::spawn_blocking(move || {
                    bcrypt::verify(password, &hash).unwrap_or(false)
                })
                .await
                .unwrap_or(false),
                Err(_) => false,
            };
            if ok && known {
                return None;
            }
        }
        let mut resp = Response::new(crate::metrics::ResponseBody::full(Bytes::from_static(
            b"401 Unauthorized\n",
        )));
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"directconnect-exporter\""),
        );
        Some(resp)
    }
}

/// bcrypt of a random string, used for unknown users.
const DUMMY_HASH: &str = "$2y$10$QnHD0ZUWxvqvd0nOwYQfouH5Kc6HVsxjNLKVnSIVQ6eoNUn5g0KFa";

fn build_tls(
    t: &TlsFile,
    base: &Path,
) -> Result<tokio_rustls::TlsAcceptor, (&'static str, String)> {
    let resolve = |p: &Path| {
        if p.is_absolute() {
            p.to_owned()
        } else {
            base.join(p)
        }
    };
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
    async fn basic_auth_accepts_the_right_password_only() {
        let d = tempdir();
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let p = write(
            &d,
            "web.yml",
            &format!("basic_auth_users:\n  prom: '{hash}'\n"),
        );
        let web = WebConfig::load(&p).unwrap();
        let mut h = hyper::HeaderMap::new();
        assert!(web.authorize(&h).await.is_some());
        let good = base64::engine::general_purpose::STANDARD.encode("prom:s3cret");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {good}").parse().unwrap(),
        );
        assert!(web.authorize(&h).await.is_none());
        let bad = base64::engine::general_purpose::STANDARD.encode("prom:nope");
        h.insert(
            header::AUTHORIZATION,
            format!("Basic {bad}").parse().unwrap(),
        );
        assert_eq!(
            web.authorize(&h).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        h.insert(header::AUTHORIZATION, "Basic !!!".parse().unwrap());
        assert!(web.authorize(&h).await.is_some());
    }
}
