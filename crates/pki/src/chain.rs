//! Certificate chains in the order a server sends them.

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::Cert;

/// The order of the certificates a server presents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainOrder {
    /// The leaf alone (intermediates are dropped: "missing intermediate").
    LeafOnly,
    /// Leaf, then intermediates from the leaf's issuer upwards (the correct order).
    #[default]
    LeafFirst,
    /// Leaf first, then the intermediates in reverse order (root-most first). TLS 1.3 and
    /// OpenSSL/webpki path building tolerate this; it needs two intermediates to differ from
    /// `LeafFirst`.
    Reversed,
    /// The whole list reversed: intermediates (root-most first), leaf last. A peer takes the
    /// first certificate as the end entity, so this presents the wrong certificate.
    LeafLast,
}

/// A leaf plus the certificates sent with it, in send order.
#[derive(Clone, Debug)]
pub struct Chain {
    leaf: Cert,
    certs: Vec<Cert>,
}

impl Chain {
    /// `intermediates` are given from the leaf's issuer upwards (optionally ending with the root).
    pub fn new(leaf: &Cert, intermediates: &[&Cert], order: ChainOrder) -> Chain {
        let mut certs = vec![leaf.clone()];
        match order {
            ChainOrder::LeafOnly => {}
            ChainOrder::LeafFirst => certs.extend(intermediates.iter().map(|c| (*c).clone())),
            ChainOrder::Reversed => certs.extend(intermediates.iter().rev().map(|c| (*c).clone())),
            ChainOrder::LeafLast => {
                certs.extend(intermediates.iter().map(|c| (*c).clone()));
                certs.reverse();
            }
        }
        Chain {
            leaf: leaf.clone(),
            certs,
        }
    }

    /// The end-entity certificate (whose key the server uses), wherever it sits in the order.
    pub fn leaf(&self) -> &Cert {
        &self.leaf
    }

    /// The certificates in send order.
    pub fn certs(&self) -> &[Cert] {
        &self.certs
    }

    /// DER certificates in send order (for `rustls::ServerConfig::with_single_cert`).
    pub fn ders(&self) -> Vec<CertificateDer<'static>> {
        self.certs.iter().map(|c| c.der().clone()).collect()
    }

    /// The leaf's private key.
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        self.leaf.key_der()
    }

    /// Concatenated PEM in send order (PostgreSQL's `ssl_cert_file`, libpq's `sslcert`).
    pub fn pem(&self) -> String {
        self.certs.iter().map(Cert::pem).collect()
    }
}
