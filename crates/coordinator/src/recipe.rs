//! PKI recipes: which certificates a scenario needs, as data, and the one function that makes
//! them with `pgtls-pki` and lays out the client-side files.

use pgtls_pki::{files, Cert, CertSpec, Chain, ChainOrder, Crl, Files, KeyType, Pki};
use rustls_pki_types::CertificateDer;

/// Who signs the first certificate above the served leaf (or the leaf itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The root the client trusts (`root.crt`).
    TrustedRoot,
    /// Another root, unknown to the client.
    ForeignRoot,
    /// Nobody: the leaf is self-signed (intermediates are ignored).
    SelfSigned,
}

/// What the client's `root.crt` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The trusted root.
    Root,
    /// Only the first intermediate (the CA right under the root), not the root.
    FirstIntermediate,
}

/// Which CRLs are written to `root.crl` (libpq's `sslcrl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlRecipe {
    /// No CRL file.
    None,
    /// One CRL per CA of the served chain; the leaf's issuer revokes the leaf.
    RevokeLeaf,
    /// `root.crl` holds only the leaf issuer's (empty) CRL, not the root's; `complete.crl` holds
    /// an empty CRL of every CA.
    LeafIssuerOnly,
}

/// File names the catalog's client contexts refer to (all inside the PKI directory).
pub mod names {
    /// What the client trusts (`sslrootcert`).
    pub const ROOT_CRT: &str = pgtls_pki::files::ROOT_CRT;
    /// The CRL file (`sslcrl`).
    pub const ROOT_CRL: &str = pgtls_pki::files::ROOT_CRL;
    /// Every CA's CRL (see [`super::CrlRecipe::LeafIssuerOnly`]).
    pub const COMPLETE_CRL: &str = "complete.crl";
    /// Client certificate for user `citus` from the trusted root.
    pub const CLIENT_CRT: &str = pgtls_pki::files::CLIENT_CRT;
    /// Its key (0600).
    pub const CLIENT_KEY: &str = pgtls_pki::files::CLIENT_KEY;
    /// Client certificate for `citus` from a CA the server does not trust.
    pub const UNTRUSTED_CLIENT_CRT: &str = "untrusted-client.crt";
    /// Its key (0600).
    pub const UNTRUSTED_CLIENT_KEY: &str = "untrusted-client.key";
    /// Client certificate for user `alice` from the trusted root.
    pub const ALICE_CRT: &str = "alice.crt";
    /// Its key (0600).
    pub const ALICE_KEY: &str = "alice.key";
    /// The chain the coordinator presents (for inspection).
    pub const SERVER_CRT: &str = pgtls_pki::files::SERVER_CRT;
    /// The coordinator's key (0600; lets a real PostgreSQL serve the same identity).
    pub const SERVER_KEY: &str = pgtls_pki::files::SERVER_KEY;
    /// The genuine server's certificate in the channel-binding relay emulation.
    pub const GENUINE_SERVER_CRT: &str = "genuine-server.crt";
}

/// The certificates of a scenario, as data.
#[derive(Clone, Debug)]
pub struct PkiRecipe {
    /// Does the server have a certificate at all (false: `ssl=off`).
    pub tls: bool,
    /// The trusted root (a defect here makes `root.crt` itself defective, e.g. expired).
    pub root: CertSpec,
    /// Intermediates from the anchor downwards (root-most first).
    pub intermediates: Vec<CertSpec>,
    /// The served leaf.
    pub leaf: CertSpec,
    /// Who anchors the served chain.
    pub anchor: Anchor,
    /// The order the server sends the chain in.
    pub order: ChainOrder,
    /// Append the anchor root to the served chain.
    pub send_root: bool,
    /// What `root.crt` holds.
    pub trust: Trust,
    /// CRL files.
    pub crl: CrlRecipe,
    /// Write client certificates (`client.crt`, `untrusted-client.crt`, `alice.crt`) and make
    /// the server request one (its CA is the trusted root).
    pub client_certs: bool,
    /// Issue a genuine server certificate for this host from the trusted root, distinct from
    /// the served one (the channel-binding relay emulation binds to it).
    pub genuine_server: Option<String>,
}

impl PkiRecipe {
    /// root → leaf for `host`, ECDSA P-256, leaf first.
    pub fn leaf(host: &str) -> PkiRecipe {
        PkiRecipe::with_leaf(CertSpec::server(host))
    }

    /// root → `leaf`.
    pub fn with_leaf(leaf: CertSpec) -> PkiRecipe {
        PkiRecipe {
            tls: true,
            root: CertSpec::root("pgtls Test Root CA"),
            intermediates: Vec::new(),
            leaf,
            anchor: Anchor::TrustedRoot,
            order: ChainOrder::LeafFirst,
            send_root: false,
            trust: Trust::Root,
            crl: CrlRecipe::None,
            client_certs: false,
            genuine_server: None,
        }
    }

    /// A server without TLS (only `root.crt` is written, so the client context is unchanged).
    pub fn no_tls(host: &str) -> PkiRecipe {
        PkiRecipe {
            tls: false,
            ..PkiRecipe::leaf(host)
        }
    }

    /// Uses `key` for every certificate.
    pub fn key(mut self, key: KeyType) -> Self {
        self.root.key = key;
        for i in &mut self.intermediates {
            i.key = key;
        }
        self.leaf.key = key;
        self
    }

    /// Adds an intermediate below the previous ones.
    pub fn intermediate(mut self, spec: CertSpec) -> Self {
        self.intermediates.push(spec);
        self
    }

    /// Sets the anchor.
    pub fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    /// Sets the send order.
    pub fn order(mut self, order: ChainOrder) -> Self {
        self.order = order;
        self
    }

    /// Sends the root too.
    pub fn send_root(mut self) -> Self {
        self.send_root = true;
        self
    }

    /// Sets what `root.crt` holds.
    pub fn trust(mut self, trust: Trust) -> Self {
        self.trust = trust;
        self
    }

    /// Sets the CRL recipe.
    pub fn crl(mut self, crl: CrlRecipe) -> Self {
        self.crl = crl;
        self
    }

    /// Replaces the root spec.
    pub fn root(mut self, root: CertSpec) -> Self {
        self.root = root;
        self
    }

    /// Writes client certificates and makes the server ask for one.
    pub fn client_certs(mut self) -> Self {
        self.client_certs = true;
        self
    }

    /// Issues a genuine server certificate for `host` (see [`PkiRecipe::genuine_server`]).
    pub fn genuine_server(mut self, host: &str) -> Self {
        self.genuine_server = Some(host.to_owned());
        self
    }

    /// One line saying what is built (for listings).
    pub fn describe(&self) -> String {
        if !self.tls {
            return "no server certificate (ssl=off)".to_owned();
        }
        let mut parts = Vec::new();
        let anchor = match self.anchor {
            Anchor::TrustedRoot => "trusted root",
            Anchor::ForeignRoot => "foreign root",
            Anchor::SelfSigned => "self-signed",
        };
        parts.push(anchor.to_owned());
        if self.anchor != Anchor::SelfSigned {
            for i in &self.intermediates {
                parts.push(format!("intermediate {:?}", i.label()));
            }
        }
        parts.push(format!("leaf {}", describe_spec(&self.leaf)));
        let mut out = parts.join(" -> ");
        out.push_str(&format!(
            "; {} keys; sent {:?}{}",
            self.leaf.key,
            self.order,
            if self.send_root { " + root" } else { "" }
        ));
        if self.root.not_after.is_negative() {
            out.push_str("; root expired");
        }
        match self.trust {
            Trust::Root => {}
            Trust::FirstIntermediate => out.push_str("; root.crt holds only the intermediate"),
        }
        match self.crl {
            CrlRecipe::None => {}
            CrlRecipe::RevokeLeaf => out.push_str("; root.crl revokes the leaf"),
            CrlRecipe::LeafIssuerOnly => out.push_str("; root.crl lacks the root's CRL"),
        }
        if self.client_certs {
            out.push_str("; client certificates issued");
        }
        if self.genuine_server.is_some() {
            out.push_str("; a genuine server certificate exists elsewhere");
        }
        out
    }

    /// Makes every certificate with `pki` and returns the served material plus the files.
    pub fn build(&self, pki: &Pki) -> Result<BuiltPki, pgtls_pki::Error> {
        let root = pki.self_signed(&self.root)?;
        let foreign =
            pki.self_signed(&CertSpec::root("pgtls Foreign Root CA").key(self.root.key))?;
        let anchor_root = match self.anchor {
            Anchor::TrustedRoot | Anchor::SelfSigned => &root,
            Anchor::ForeignRoot => &foreign,
        };
        let mut files = Files::new();

        // The served chain.
        let mut cas: Vec<Cert> = Vec::new(); // root-most first, below the anchor root
        let leaf = if self.anchor == Anchor::SelfSigned {
            pki.self_signed(&self.leaf)?
        } else {
            let mut issuer = anchor_root.clone();
            for spec in &self.intermediates {
                let ca = pki.issue(spec, &issuer)?;
                cas.push(ca.clone());
                issuer = ca;
            }
            pki.issue(&self.leaf, &issuer)?
        };
        let mut upwards: Vec<&Cert> = cas.iter().rev().collect();
        if self.send_root && self.anchor != Anchor::SelfSigned {
            upwards.push(anchor_root);
        }
        let chain = Chain::new(&leaf, &upwards, self.order);
        files = files.server(&chain);

        // What the client trusts.
        files = match (self.trust, cas.first()) {
            (Trust::FirstIntermediate, Some(first)) => files.root_crt(&[first]),
            _ => files.root_crt(&[&root]),
        };

        // CRLs, one per CA from the anchor root down to the leaf's issuer.
        if self.crl != CrlRecipe::None && self.anchor != Anchor::SelfSigned {
            let mut issuers: Vec<&Cert> = vec![anchor_root];
            issuers.extend(cas.iter());
            let leaf_issuer_index = issuers.len() - 1;
            let mut crls: Vec<Crl> = Vec::new();
            for (i, ca) in issuers.iter().enumerate() {
                let revoked = if self.crl == CrlRecipe::RevokeLeaf && i == leaf_issuer_index {
                    vec![leaf.serial()]
                } else {
                    Vec::new()
                };
                crls.push(pki.crl(ca, &revoked)?);
            }
            match self.crl {
                CrlRecipe::RevokeLeaf => {
                    files = files.root_crl(&crls.iter().collect::<Vec<_>>());
                }
                CrlRecipe::LeafIssuerOnly => {
                    let last: Vec<&Crl> = crls.last().into_iter().collect();
                    files = files.root_crl(&last);
                    files = files.crls(names::COMPLETE_CRL, &crls.iter().collect::<Vec<_>>());
                }
                CrlRecipe::None => {}
            }
        }

        // Client certificates.
        let mut client_cas = Vec::new();
        if self.client_certs {
            let citus = pki.issue(&CertSpec::client("citus"), &root)?;
            let alice = pki.issue(&CertSpec::client("alice"), &root)?;
            let stranger = pki.issue(&CertSpec::client("citus"), &foreign)?;
            files = files
                .client(&citus, &[])
                .certs(names::ALICE_CRT, &[&alice])
                .key(names::ALICE_KEY, &alice)
                .certs(names::UNTRUSTED_CLIENT_CRT, &[&stranger])
                .key(names::UNTRUSTED_CLIENT_KEY, &stranger)
                .server_ca(&[&root]);
            client_cas.push(root.der().clone());
        }

        let genuine = match &self.genuine_server {
            Some(host) => {
                let cert = pki.issue(&CertSpec::server(host.as_str()), &root)?;
                files = files.certs(names::GENUINE_SERVER_CRT, &[&cert]);
                Some(cert.der().clone())
            }
            None => None,
        };

        if !self.tls {
            // Nothing served: keep only what the client context names.
            let mut kept = Files::new();
            for entry in files.entries() {
                if entry.name == files::ROOT_CRT {
                    kept = kept.file(&entry.name, entry.contents.clone(), entry.secret);
                }
            }
            files = kept;
        }

        Ok(BuiltPki {
            files,
            chain: self.tls.then_some(chain),
            client_cas,
            genuine,
        })
    }
}

fn describe_spec(spec: &CertSpec) -> String {
    let mut s = match &spec.common_name {
        Some(cn) => format!("CN={cn}"),
        None => "no CN".to_owned(),
    };
    if spec.sans.is_empty() {
        s.push_str(", no SAN");
    } else {
        let sans: Vec<String> = spec
            .sans
            .iter()
            .map(|san| match san {
                pgtls_pki::San::Dns(d) => format!("DNS:{d}"),
                pgtls_pki::San::Ip(ip) => format!("IP:{ip}"),
                pgtls_pki::San::RawIp(bytes) => format!("IP:<{} raw bytes>", bytes.len()),
            })
            .collect();
        s.push_str(&format!(", SAN {}", sans.join(",")));
    }
    if spec.not_after.is_negative() {
        s.push_str(", expired");
    }
    if spec.not_before.is_positive() {
        s.push_str(", not yet valid");
    }
    s
}

/// What [`PkiRecipe::build`] made.
#[derive(Clone, Debug)]
pub struct BuiltPki {
    /// The files to lay out for the client (and for a real server: `server.crt`/`server.key`).
    pub files: Files,
    /// The served chain and key (`None` without TLS).
    pub chain: Option<Chain>,
    /// CAs for client certificates (empty: none requested).
    pub client_cas: Vec<CertificateDer<'static>>,
    /// The genuine server certificate of the relay emulation.
    pub genuine: Option<CertificateDer<'static>>,
}
