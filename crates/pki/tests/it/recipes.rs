//! One sample of every recipe the scenario catalog needs, built from hand-written specs, each with
//! what to hand a verifier (trust file, untrusted intermediates, CRLs, name to check).
//! `openssl.rs` and `webpki_verify.rs` check that each defect is seen as that defect.

#![allow(dead_code)]

use std::net::Ipv6Addr;

use pgtls_pki::{Cert, CertSpec, ChainOrder, Defect, KeyType, San};

use crate::util::{pki, Verify};

pub const HOST: &str = "c-demo.pgtls.test";

/// A leaf and what the verifier is given.
pub struct Recipe {
    pub leaf: Cert,
    pub verify: Verify,
}

fn server_verify(root: &Cert, untrusted: &[&Cert]) -> Verify {
    Verify {
        trusted: vec![root.clone()],
        untrusted: untrusted.iter().map(|c| (*c).clone()).collect(),
        host: Some(HOST.to_owned()),
        ..Verify::default()
    }
}

/// root -> leaf for HOST, with `spec` for the leaf.
fn direct(spec: CertSpec) -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let leaf = pki.issue(&spec, &root).expect("leaf");
    Recipe {
        verify: server_verify(&root, &[]),
        leaf,
    }
}

pub fn valid() -> Recipe {
    direct(CertSpec::server(HOST))
}

pub fn valid_key(key: KeyType) -> Recipe {
    let pki = pki();
    let root = pki
        .self_signed(
            &CertSpec::root("pgtls Test Root CA").key(if key == KeyType::Rsa2048 {
                // One RSA key per recipe is enough: the root stays ECDSA.
                KeyType::EcdsaP256
            } else {
                key
            }),
        )
        .expect("root");
    let leaf = pki
        .issue(&CertSpec::server(HOST).key(key), &root)
        .expect("leaf");
    Recipe {
        verify: server_verify(&root, &[]),
        leaf,
    }
}

pub fn valid_with_intermediate() -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let inter = pki
        .issue(&CertSpec::intermediate("pgtls Test Intermediate CA"), &root)
        .expect("intermediate");
    let leaf = pki.issue(&CertSpec::server(HOST), &inter).expect("leaf");
    Recipe {
        verify: server_verify(&root, &[&inter]),
        leaf,
    }
}

/// root -> inter1 -> inter2 -> leaf, intermediates sent in reversed order.
pub fn reversed_chain() -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let inter1 = pki
        .issue(&CertSpec::intermediate("pgtls Intermediate 1"), &root)
        .expect("intermediate 1");
    let inter2 = pki
        .issue(&CertSpec::intermediate("pgtls Intermediate 2"), &inter1)
        .expect("intermediate 2");
    let leaf = pki.issue(&CertSpec::server(HOST), &inter2).expect("leaf");
    let chain = leaf.chain(&[&inter2, &inter1], ChainOrder::Reversed);
    assert_eq!(chain.certs()[0].der(), leaf.der(), "leaf stays first");
    assert_eq!(
        chain.certs()[1].der(),
        inter1.der(),
        "root-most intermediate next"
    );
    let untrusted: Vec<&Cert> = chain.certs()[1..].iter().collect();
    Recipe {
        verify: server_verify(&root, &untrusted),
        leaf,
    }
}

pub fn expired_leaf() -> Recipe {
    direct(CertSpec::server(HOST).defect(Defect::Expired))
}

pub fn not_yet_valid_leaf() -> Recipe {
    direct(CertSpec::server(HOST).defect(Defect::NotYetValid))
}

pub fn client_eku_only() -> Recipe {
    direct(CertSpec::server(HOST).defect(Defect::ClientAuthOnly))
}

pub fn no_eku() -> Recipe {
    direct(CertSpec::server(HOST).defect(Defect::NoEku))
}

pub fn leaf_is_ca() -> Recipe {
    direct(CertSpec::server(HOST).defect(Defect::LeafIsCa))
}

/// The leaf comes from a CA the client does not trust.
pub fn untrusted_root() -> Recipe {
    untrusted_root_named("Attacker Root CA")
}

/// The leaf comes from a foreign CA that copies the trusted CA's name.
pub fn impostor_root() -> Recipe {
    untrusted_root_named("pgtls Test Root CA")
}

fn untrusted_root_named(foreign_name: &str) -> Recipe {
    let pki = pki();
    let trusted = pki.root("pgtls Test Root CA").expect("root");
    let foreign = pki.root(foreign_name).expect("foreign root");
    let leaf = pki.issue(&CertSpec::server(HOST), &foreign).expect("leaf");
    Recipe {
        verify: server_verify(&trusted, &[]),
        leaf,
    }
}

pub fn self_signed_leaf() -> Recipe {
    let pki = pki();
    let trusted = pki.root("pgtls Test Root CA").expect("root");
    let leaf = pki.self_signed(&CertSpec::server(HOST)).expect("leaf");
    Recipe {
        verify: server_verify(&trusted, &[]),
        leaf,
    }
}

pub fn revoked_leaf() -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let leaf = pki.issue(&CertSpec::server(HOST), &root).expect("leaf");
    let crl = pki.crl(&root, &[leaf.serial()]).expect("crl");
    let mut verify = server_verify(&root, &[]);
    verify.crls = vec![crl];
    Recipe { leaf, verify }
}

/// Same PKI and a CRL, but the CRL revokes another serial.
pub fn crl_without_leaf() -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let other = pki
        .issue(&CertSpec::server("other.pgtls.test"), &root)
        .expect("other");
    let leaf = pki.issue(&CertSpec::server(HOST), &root).expect("leaf");
    let crl = pki.crl(&root, &[other.serial()]).expect("crl");
    let mut verify = server_verify(&root, &[]);
    verify.crls = vec![crl];
    Recipe { leaf, verify }
}

fn via_intermediate(inter_spec: CertSpec) -> Recipe {
    let pki = pki();
    let root = pki.root("pgtls Test Root CA").expect("root");
    let inter = pki.issue(&inter_spec, &root).expect("intermediate");
    let leaf = pki.issue(&CertSpec::server(HOST), &inter).expect("leaf");
    Recipe {
        verify: server_verify(&root, &[&inter]),
        leaf,
    }
}

pub fn intermediate_not_ca() -> Recipe {
    via_intermediate(CertSpec::intermediate("pgtls Not A CA").defect(Defect::NotCa))
}

pub fn intermediate_without_key_cert_sign() -> Recipe {
    via_intermediate(CertSpec::intermediate("pgtls No CertSign").defect(Defect::NoKeyCertSign))
}

pub fn expired_intermediate() -> Recipe {
    via_intermediate(CertSpec::intermediate("pgtls Expired Intermediate").defect(Defect::Expired))
}

/// The server sends only its leaf; the client trusts only the root.
pub fn missing_intermediate() -> Recipe {
    let mut r = valid_with_intermediate();
    r.verify.untrusted.clear();
    r
}

/// The client trusts only the intermediate (no root in the trust file).
pub fn intermediate_only_trusted() -> Recipe {
    let mut r = valid_with_intermediate();
    let inter = r.verify.untrusted.remove(0);
    r.verify.trusted = vec![inter];
    r
}

/// A genuine certificate from the trusted CA, for another host.
pub fn wrong_hostname() -> Recipe {
    direct(CertSpec::server("other.pgtls.test"))
}

pub fn cn_only() -> Recipe {
    direct(CertSpec::server(HOST).no_san())
}

/// CN matches the host, the only SAN does not.
pub fn san_overrides_cn() -> Recipe {
    direct(CertSpec::server(HOST).sans([San::dns("other.pgtls.test")]))
}

pub fn wildcard_match() -> Recipe {
    direct(CertSpec::server("*.pgtls.test"))
}

/// `*.pgtls.test` must not match `a.c-demo.pgtls.test`.
pub fn wildcard_two_labels() -> Recipe {
    let mut r = direct(CertSpec::server("*.pgtls.test"));
    r.verify.host = Some("a.c-demo.pgtls.test".to_owned());
    r
}

/// `*.pgtls.test` must not match `pgtls.test`.
pub fn wildcard_bare_domain() -> Recipe {
    let mut r = direct(CertSpec::server("*.pgtls.test"));
    r.verify.host = Some("pgtls.test".to_owned());
    r
}

pub fn ip_san() -> Recipe {
    let mut r = direct(CertSpec::server("127.0.0.1"));
    r.verify.host = None;
    r.verify.ip = Some("127.0.0.1".to_owned());
    r
}

pub fn ipv6_san() -> Recipe {
    let mut r = direct(CertSpec::server("c-demo.pgtls.test").ip(Ipv6Addr::LOCALHOST));
    r.verify.host = None;
    r.verify.ip = Some("::1".to_owned());
    r
}

/// The IP is written as a dNSName: RFC 6125 verifiers do not match it against an IP.
pub fn ip_in_dnsname() -> Recipe {
    let mut r = direct(
        CertSpec::server("127.0.0.1")
            .no_cn()
            .org("pgtls")
            .sans([])
            .ip_as_dns([127, 0, 0, 1]),
    );
    r.verify.host = None;
    r.verify.ip = Some("127.0.0.1".to_owned());
    r
}

pub fn no_names() -> Recipe {
    direct(CertSpec::server(HOST).no_cn().no_san().org("pgtls"))
}

pub fn client_cert() -> Recipe {
    let mut r = direct(CertSpec::client("alice"));
    r.verify.client = true;
    r.verify.host = None;
    r
}

/// A server certificate presented as a client certificate.
pub fn server_cert_as_client() -> Recipe {
    let mut r = direct(CertSpec::server(HOST));
    r.verify.client = true;
    r.verify.host = None;
    r
}
