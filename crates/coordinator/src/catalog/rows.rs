//! The rows. Expectations are the shorthand of [`Expectations::parse_shorthand`], in sslmode
//! order `disable allow prefer require verify-ca verify-full`: `T` tls, `P` plaintext,
//! `R` rejected; `+` the password (or a hash / SCRAM proof of it) reaches the server, `-` not.
//!
//! They are written by hand from libpq's rules (PostgreSQL 15 libpq unless a row needs more):
//! - a root file that exists turns on chain verification in every mode that ends up in TLS, so
//!   `require` behaves like `verify-ca`; without one, `require` accepts any certificate and
//!   `verify-*` fail before the handshake (`root certificate file "…" does not exist`);
//! - `verify-full` also checks `host` (never `hostaddr`) against the SANs (CN only when there is
//!   no SAN of the host's type); chain failures surface as `certificate verify failed`;
//! - `prefer` starts with SSLRequest; after `N` it continues in plaintext on the same
//!   connection; after a failed handshake/verification or an ErrorResponse over TLS it reconnects
//!   once in plaintext;
//! - `allow` starts in plaintext; after an ErrorResponse it reconnects once with SSLRequest
//!   (a `N` then is accepted in libpq ≤ 16);
//! - `E`, EOF or any other byte after SSLRequest, and bytes stuffed after `S`, are hard failures
//!   in every mode (no fallback);
//! - a client-side authentication failure (channel binding refused, unsupported request) is a
//!   hard failure: no mode retries it;
//! - `channel_binding=require` refuses anything but a SCRAM-SHA-256-PLUS exchange over TLS, and
//!   sends nothing secret before refusing; with the default `prefer`, libpq picks
//!   SCRAM-SHA-256-PLUS whenever the server offers it over TLS.

use pgtls_pki::{CertSpec, ChainOrder, Defect, KeyType};

use super::{
    Behaviour, Category, ClientChange, ClientContext, Expectations, RolePassword, Scenario,
    Variant, HOST,
};
use crate::recipe::{names, Anchor, CrlRecipe, PkiRecipe, Trust};
use crate::spec::{AuthMethod, DirectTls, Hba, SslAnswer, TlsVersions};

use ClientChange::{NoPassword, NoRootCert, Remove, Set};

fn x(s: &str) -> Expectations {
    match s.parse() {
        Ok(e) => e,
        // The shorthand is static data checked by the catalog tests.
        Err(e) => panic!("catalog: bad expectation shorthand: {e}"),
    }
}

fn s(name: &'static str, category: Category, summary: &'static str, why: &'static str) -> Scenario {
    Scenario {
        name,
        category,
        summary,
        why,
        pki: PkiRecipe::leaf(HOST),
        server: Behaviour::honest(),
        client: ClientContext::standard(),
        libpq: 15,
        expect: x("P+ P+ T+ T+ T+ T+"),
        variants: Vec::new(),
    }
}

fn variant(
    name: &'static str,
    summary: &'static str,
    changes: Vec<ClientChange>,
    expect: &str,
) -> Variant {
    Variant {
        name,
        summary,
        changes,
        client: ClientContext::standard(),
        libpq: 15,
        expect: x(expect),
    }
}

fn no_rootcert(expect: &str) -> Variant {
    variant(
        "no-rootcert",
        "the client has no root certificate file (no sslrootcert, nothing in ~/.postgresql)",
        vec![NoRootCert],
        expect,
    )
}

fn cb_require(expect: &str) -> Variant {
    variant(
        "channel-binding-require",
        "the client sets channel_binding=require",
        vec![Set("channel_binding", "require")],
        expect,
    )
}

impl Scenario {
    fn pki(mut self, pki: PkiRecipe) -> Self {
        self.pki = pki;
        self
    }
    fn server(mut self, server: Behaviour) -> Self {
        self.server = server;
        self
    }
    fn auth(mut self, auth: AuthMethod) -> Self {
        self.server.auth = auth;
        if !auth.uses_password() {
            self.client.password = None;
        }
        self
    }
    fn client(mut self, change: ClientChange) -> Self {
        self.client.apply(&change);
        self
    }
    fn libpq(mut self, major: u32) -> Self {
        self.libpq = major;
        self
    }
    fn expect(mut self, e: &str) -> Self {
        self.expect = x(e);
        self
    }
    fn with_variant(mut self, v: Variant) -> Self {
        self.variants.push(v);
        self
    }
}

// Expectations shared by many rows (comments say which libpq rule gives them).
/// Chain verification fails: prefer falls back to plaintext, require (root file exists) and
/// verify-* fail.
const CHAIN_FAILS: &str = "P+ P+ P+ R- R- R-";
/// Without a root file, require accepts anything; verify-* fail before the handshake.
const NO_ROOT: &str = "P+ P+ T+ T+ R- R-";
/// Everything fine except verify-full's name check.
const NAME_FAILS: &str = "P+ P+ T+ T+ T+ R-";
/// All good.
const ALL_GOOD: &str = "P+ P+ T+ T+ T+ T+";

pub(super) fn rows() -> Vec<Scenario> {
    vec![
        // ------------------------------------------------------------------ healthy
        s("valid", Category::Healthy,
          "root -> leaf for c-demo.pgtls.test; SCRAM-SHA-256(-PLUS)",
          "The baseline: every mode connects; disable/allow stay in plaintext because the server accepts it.")
            .with_variant(cb_require("R- R- T+ T+ T+ T+"))
            .with_variant(no_rootcert(NO_ROOT)),
        s("valid-with-intermediate", Category::Healthy,
          "root -> intermediate -> leaf; the server sends leaf + intermediate",
          "The usual production layout; the client trusts only the root.")
            .pki(PkiRecipe::leaf(HOST).intermediate(CertSpec::intermediate("pgtls Test Intermediate CA")))
            .with_variant(no_rootcert(NO_ROOT)),
        s("valid-ed25519", Category::Healthy,
          "Ed25519 root and leaf; cleartext password over TLS",
          "Ed25519 works for TLS, but tls-server-end-point is undefined for it, so this row avoids SCRAM (see ed25519-scram-plus).")
            .pki(PkiRecipe::leaf(HOST).key(KeyType::Ed25519))
            .auth(AuthMethod::Password),
        s("valid-rsa", Category::Healthy,
          "RSA 2048 root and leaf (sha256WithRSAEncryption)",
          "The most common key type in managed services.")
            .pki(PkiRecipe::leaf(HOST).key(KeyType::Rsa2048)),
        s("valid-p384", Category::Healthy,
          "ECDSA P-384 root and leaf (ecdsa-with-SHA384): SCRAM-PLUS binds a SHA-384 hash",
          "tls-server-end-point must use the certificate's own digest, not always SHA-256.")
            .pki(PkiRecipe::leaf(HOST).key(KeyType::EcdsaP384))
            .with_variant(cb_require("R- R- T+ T+ T+ T+")),
        s("reversed-chain", Category::Healthy,
          "root -> int1 -> int2 -> leaf, sent as leaf, int1, int2 (intermediates reversed)",
          "OpenSSL builds the path from an unordered bag of certificates; strict verifiers may not.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA 1"))
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA 2"))
                .order(ChainOrder::Reversed)),
        s("chain-includes-root", Category::Healthy,
          "the server sends leaf + intermediate + root",
          "Sending the root is useless but harmless: the client still anchors on its own root.crt.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA"))
                .send_root()),
        s("tls12-only", Category::Healthy,
          "the server speaks TLS 1.2 only",
          "Old servers and middleboxes; libpq's default ssl_min_protocol_version is TLSv1.2.")
            .server(Behaviour { tls_versions: TlsVersions::Tls12Only, ..Behaviour::honest() })
            .with_variant(variant("client-min-tls13",
                "the client sets ssl_min_protocol_version=TLSv1.3: no common version",
                vec![Set("ssl_min_protocol_version", "TLSv1.3")],
                CHAIN_FAILS)),
        s("tls13-only", Category::Healthy,
          "the server speaks TLS 1.3 only",
          "Hardened servers; clients capped at TLS 1.2 cannot connect.")
            .server(Behaviour { tls_versions: TlsVersions::Tls13Only, ..Behaviour::honest() })
            .with_variant(variant("client-max-tls12",
                "the client sets ssl_max_protocol_version=TLSv1.2: no common version",
                vec![Set("ssl_max_protocol_version", "TLSv1.2")],
                CHAIN_FAILS)),
        s("ed25519-scram-plus", Category::Auth,
          "Ed25519 certificate with SCRAM: the server offers SCRAM-SHA-256-PLUS, the client cannot hash the certificate",
          "libpq picks SCRAM-SHA-256-PLUS over TLS (channel_binding=prefer) and then fails with `could not find digest for NID UNDEF`: a hard failure, no plaintext retry.")
            .pki(PkiRecipe::leaf(HOST).key(KeyType::Ed25519))
            .expect("P+ P+ R- R- R- R-")
            .with_variant(cb_require("R- R- R- R- R- R-"))
            .with_variant(variant("channel-binding-disable",
                "the client sets channel_binding=disable and uses SCRAM-SHA-256",
                vec![Set("channel_binding", "disable")],
                ALL_GOOD)),
        // ------------------------------------------------------------------ names
        s("wrong-hostname", Category::Names,
          "the leaf is for other.pgtls.test",
          "Only verify-full checks names; require and verify-ca accept any host's certificate from the trusted CA.")
            .pki(PkiRecipe::leaf("other.pgtls.test"))
            .expect(NAME_FAILS),
        s("cn-only", Category::Names,
          "CN=c-demo.pgtls.test, no subjectAltName",
          "libpq falls back to the CN when there is no SAN of the host's type (RFC 6125 clients may not).")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).no_san())),
        s("san-overrides-cn", Category::Names,
          "CN=c-demo.pgtls.test but SAN DNS:other.pgtls.test",
          "A dNSName SAN disables the CN fallback: the matching CN is ignored.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).no_san().dns("other.pgtls.test")))
            .expect(NAME_FAILS),
        s("wildcard-match", Category::Names,
          "SAN DNS:*.pgtls.test for host c-demo.pgtls.test",
          "A leading wildcard matches exactly one label.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("*.pgtls.test"))),
        s("wildcard-two-labels", Category::Names,
          "SAN DNS:*.pgtls.test for host c-demo.eu.pgtls.test",
          "The wildcard never spans two labels.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("*.pgtls.test")))
            .client(ClientChange::Host("c-demo.eu.pgtls.test"))
            .expect(NAME_FAILS),
        s("wildcard-bare-domain", Category::Names,
          "SAN DNS:*.pgtls.test for host pgtls.test",
          "The wildcard needs a label to match: the bare domain is not covered.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("*.pgtls.test")))
            .client(ClientChange::Host("pgtls.test"))
            .expect(NAME_FAILS),
        s("ip-san", Category::Names,
          "host=127.0.0.1 (no hostaddr); SAN IP:127.0.0.1",
          "An IP host is compared with iPAddress SANs, byte for byte.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("127.0.0.1")))
            .client(ClientChange::Host("127.0.0.1"))
            .client(ClientChange::Hostaddr(None))
            .with_variant(variant("host-is-name",
                "the client uses host=c-demo.pgtls.test hostaddr=127.0.0.1 instead",
                vec![ClientChange::Host(HOST), ClientChange::Hostaddr(Some("127.0.0.1"))],
                NAME_FAILS)),
        s("ip-in-dnsname", Category::Names,
          "host=127.0.0.1; SAN DNS:127.0.0.1 (an IP written as a DNS name)",
          "libpq compares dNSName SANs textually even for IP hosts (long-standing behaviour); RFC 6125 verifiers reject it.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).no_san().cn("pgtls ip-in-dnsname").ip_as_dns([127, 0, 0, 1])))
            .client(ClientChange::Host("127.0.0.1"))
            .client(ClientChange::Hostaddr(None)),
        s("ip-cn-fallback", Category::Names,
          "host=127.0.0.1; CN=127.0.0.1 with only a dNSName SAN (c-demo.pgtls.test)",
          "For an IP host only iPAddress SANs disable the CN fallback, so the CN still counts.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).cn("127.0.0.1")))
            .client(ClientChange::Host("127.0.0.1"))
            .client(ClientChange::Hostaddr(None)),
        s("no-names", Category::Names,
          "no CN and no SAN (subject O=pgtls only)",
          "verify-full fails with `could not get server's host name from server certificate`.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).no_san().no_cn().org("pgtls")))
            .expect(NAME_FAILS),
        s("case-insensitive-name", Category::Names,
          "SAN DNS:C-DEMO.PGTLS.TEST",
          "DNS names compare case-insensitively.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("C-DEMO.PGTLS.TEST"))),
        s("second-san-matches", Category::Names,
          "SAN DNS:other.pgtls.test, DNS:c-demo.pgtls.test",
          "Every SAN is examined; the first match wins.")
            .pki(PkiRecipe::with_leaf(CertSpec::server("other.pgtls.test").dns(HOST))),
        // ------------------------------------------------------------------ chain
        s("missing-intermediate", Category::Chain,
          "root -> intermediate -> leaf, but the server sends the leaf alone",
          "The client cannot build a path to its root; with a root file even require fails, and prefer silently falls back to plaintext.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA"))
                .order(ChainOrder::LeafOnly))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("intermediate-not-ca", Category::Chain,
          "the intermediate has basicConstraints CA:FALSE but signs the leaf",
          "OpenSSL refuses a non-CA issuer (`invalid CA certificate`).")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Not-a-CA").defect(Defect::NotCa)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("untrusted-root", Category::Chain,
          "an honest server whose chain comes from a root the client does not trust",
          "A misconfigured sslrootcert looks exactly like an attacker; prefer hides it by falling back to plaintext.")
            .pki(PkiRecipe::leaf(HOST).anchor(Anchor::ForeignRoot))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT))
            // channel_binding=require also blocks prefer's silent plaintext fallback.
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("self-signed-leaf", Category::Chain,
          "a self-signed leaf for c-demo.pgtls.test",
          "The default of many quick setups: fine without a root file, fatal with one.")
            .pki(PkiRecipe::leaf(HOST).anchor(Anchor::SelfSigned))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("intermediate-only-trusted", Category::Chain,
          "root.crt holds only the intermediate; the server sends leaf + intermediate",
          "OpenSSL (without X509_V_FLAG_PARTIAL_CHAIN, as libpq uses it) needs a self-signed anchor: trusting the intermediate is not enough.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA"))
                .trust(Trust::FirstIntermediate))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("client-eku-only", Category::Chain,
          "the leaf's extendedKeyUsage is clientAuth only",
          "OpenSSL's sslserver purpose check rejects a certificate not meant for servers.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).defect(Defect::ClientAuthOnly)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("leaf-is-ca", Category::Chain,
          "the leaf has basicConstraints CA:TRUE (keyUsage digitalSignature, EKU serverAuth)",
          "OpenSSL accepts a CA certificate as the end entity; webpki-based clients reject it (CaUsedAsEndEntity).")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).defect(Defect::LeafIsCa)))
            .with_variant(no_rootcert(NO_ROOT)),
        // ------------------------------------------------------------------ time
        s("expired-leaf", Category::Time,
          "the leaf expired yesterday",
          "Expiry is only checked when a root file exists; prefer then quietly falls back to plaintext.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).defect(Defect::Expired)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("not-yet-valid-leaf", Category::Time,
          "the leaf becomes valid tomorrow",
          "Clock skew between server and client looks like this.")
            .pki(PkiRecipe::with_leaf(CertSpec::server(HOST).defect(Defect::NotYetValid)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("expired-intermediate", Category::Time,
          "the intermediate expired yesterday; the leaf is current",
          "Every certificate of the path is checked, not just the leaf.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Expired Intermediate").defect(Defect::Expired)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        s("expired-root", Category::Time,
          "the root in root.crt (and above the chain) expired yesterday",
          "OpenSSL checks the trust anchor's validity too.")
            .pki(PkiRecipe::leaf(HOST).root(CertSpec::root("pgtls Expired Root CA").defect(Defect::Expired)))
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT)),
        // ------------------------------------------------------------------ revocation
        s("revoked-leaf", Category::Revocation,
          "the root's CRL (given as sslcrl=root.crl) revokes the leaf",
          "libpq checks CRLs only when sslcrl/sslcrldir (or ~/.postgresql/root.crl) is there.")
            .pki(PkiRecipe::leaf(HOST).crl(CrlRecipe::RevokeLeaf))
            .client(Set("sslcrl", names::ROOT_CRL))
            .expect(CHAIN_FAILS)
            .with_variant(variant("no-crl", "the client gives no sslcrl", vec![Remove("sslcrl")], ALL_GOOD))
            .with_variant(no_rootcert(NO_ROOT)),
        s("crl-incomplete", Category::Revocation,
          "root -> intermediate -> leaf; sslcrl holds the intermediate's (empty) CRL but not the root's",
          "libpq turns on CRL checks for the whole chain, so a CRL is needed for every CA: a missing one fails like a revocation.")
            .pki(PkiRecipe::leaf(HOST)
                .intermediate(CertSpec::intermediate("pgtls Test Intermediate CA"))
                .crl(CrlRecipe::LeafIssuerOnly))
            .client(Set("sslcrl", names::ROOT_CRL))
            .expect(CHAIN_FAILS)
            .with_variant(variant("complete-crl", "sslcrl holds an empty CRL of every CA",
                vec![Set("sslcrl", names::COMPLETE_CRL)], ALL_GOOD)),
        // ------------------------------------------------------------------ negotiation
        s("ssl-refused", Category::Negotiation,
          "no TLS configured: SSLRequest gets N, plaintext is allowed",
          "prefer quietly uses plaintext; only require and stricter notice.")
            .pki(PkiRecipe::no_tls(HOST))
            .expect("P+ P+ P+ R- R- R-")
            .with_variant(no_rootcert("P+ P+ P+ R- R- R-")),
        s("ssl-refused-plaintext-rejected", Category::Negotiation,
          "no TLS configured and pg_hba has only hostssl lines",
          "Every mode fails: TLS is refused and plaintext gets `no pg_hba.conf entry ... no encryption` (allow retries, gets N, is rejected again).")
            .pki(PkiRecipe::no_tls(HOST))
            .server(Behaviour { hba: Hba::HostSsl, ..Behaviour::honest() })
            .expect("R- R- R- R- R- R-"),
        s("ssl-error-response", Category::Negotiation,
          "SSLRequest gets E (an ErrorResponse) and the connection closes",
          "libpq never falls back after E (`server sent an error response during SSL exchange`); allow and disable never send SSLRequest first.")
            .server(Behaviour { ssl_answer: SslAnswer::Error, ..Behaviour::honest() })
            .expect("P+ P+ R- R- R- R-"),
        s("ssl-close", Category::Negotiation,
          "the server closes the connection after SSLRequest",
          "EOF instead of an answer is a hard failure (`server closed the connection unexpectedly`).")
            .server(Behaviour { ssl_answer: SslAnswer::Close, ..Behaviour::honest() })
            .expect("P+ P+ R- R- R- R-"),
        s("ssl-garbage-response", Category::Negotiation,
          "SSLRequest gets `HTTP/1.1 400 Bad Request` (something else listens on the port)",
          "Any byte but S/N/E is a hard failure (`received invalid response to SSL negotiation: H`).")
            .server(Behaviour {
                ssl_answer: SslAnswer::Garbage(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()),
                ..Behaviour::honest()
            })
            .expect("P+ P+ R- R- R- R-"),
        s("hostssl-only", Category::Negotiation,
          "pg_hba has only hostssl lines (like managed coordinators)",
          "disable is refused with `no pg_hba.conf entry ... no encryption`; allow retries with TLS after that error.")
            .server(Behaviour { hba: Hba::HostSsl, ..Behaviour::honest() })
            .expect("R- T+ T+ T+ T+ T+")
            .with_variant(no_rootcert("R- T+ T+ T+ R- R-")),
        s("hostnossl-only", Category::Negotiation,
          "pg_hba has only hostnossl lines",
          "A TLS startup gets `no pg_hba.conf entry ... SSL encryption`; prefer reconnects in plaintext.")
            .server(Behaviour { hba: Hba::HostNoSsl, ..Behaviour::honest() })
            .expect("P+ P+ P+ R- R- R-"),
        s("direct-tls", Category::Negotiation,
          "PostgreSQL 17 direct TLS (sslnegotiation=direct, ALPN postgresql); SSLRequest works too",
          "Saves a round trip; libpq 17 refuses sslnegotiation=direct with weak modes before connecting.")
            .client(Set("sslnegotiation", "direct"))
            .libpq(17)
            .expect("R- R- R- T+ T+ T+")
            .with_variant(variant("postgres-negotiation", "the client uses the classic SSLRequest negotiation",
                vec![Remove("sslnegotiation")], ALL_GOOD)),
        s("direct-tls-unsupported", Category::Negotiation,
          "a pre-17 server: a direct-TLS ClientHello is read as a bogus length and the connection closed",
          "sslnegotiation=direct never falls back to SSLRequest.")
            .server(Behaviour { direct_tls: DirectTls::Reject, ..Behaviour::honest() })
            .client(Set("sslnegotiation", "direct"))
            .libpq(17)
            .expect("R- R- R- R- R- R-"),
        // ------------------------------------------------------------------ client certificates
        s("client-cert-required", Category::ClientCert,
          "hostssl ... scram-sha-256 clientcert=verify-ca; the client sends client.crt/client.key",
          "Mutual TLS on top of a password; without a certificate the server says `connection requires a valid client certificate`.")
            .pki(PkiRecipe::leaf(HOST).client_certs())
            .server(Behaviour { hba: Hba::HostSsl, require_client_cert: true, ..Behaviour::honest() })
            .client(Set("sslcert", names::CLIENT_CRT))
            .client(Set("sslkey", names::CLIENT_KEY))
            .expect("R- T+ T+ T+ T+ T+")
            .with_variant(variant("without-client-cert", "the client has no sslcert/sslkey",
                vec![Remove("sslcert"), Remove("sslkey")], "R- R- R- R- R- R-"))
            .with_variant(variant("untrusted-client-cert", "the client's certificate comes from a CA the server does not trust",
                vec![Set("sslcert", names::UNTRUSTED_CLIENT_CRT), Set("sslkey", names::UNTRUSTED_CLIENT_KEY)],
                "R- R- R- R- R- R-")),
        s("client-cert-auth", Category::ClientCert,
          "hostssl ... cert: the client certificate's CN must equal the user; no password",
          "Certificate authentication replaces the password entirely.")
            .pki(PkiRecipe::leaf(HOST).client_certs())
            .server(Behaviour { hba: Hba::HostSsl, ..Behaviour::honest() })
            .auth(AuthMethod::Cert)
            .client(Set("sslcert", names::CLIENT_CRT))
            .client(Set("sslkey", names::CLIENT_KEY))
            .expect("R- T- T- T- T- T-")
            .with_variant(variant("without-client-cert", "the client has no sslcert/sslkey",
                vec![Remove("sslcert"), Remove("sslkey")], "R- R- R- R- R- R-"))
            .with_variant(variant("wrong-cn", "the client sends a certificate for user alice",
                vec![Set("sslcert", names::ALICE_CRT), Set("sslkey", names::ALICE_KEY)],
                "R- R- R- R- R- R-")),
        // ------------------------------------------------------------------ auth
        s("auth-cleartext", Category::Auth,
          "host ... password: the server asks for the cleartext password",
          "Safe only over verified TLS; channel_binding=require refuses to answer.")
            .auth(AuthMethod::Password)
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("auth-md5", Category::Auth,
          "host ... md5",
          "The MD5 hash is a password equivalent for this server; channel_binding=require refuses it.")
            .auth(AuthMethod::Md5)
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("auth-trust", Category::Auth,
          "host ... trust: no password asked",
          "channel_binding=require refuses a server that authenticated the client without channel binding.")
            .auth(AuthMethod::Trust)
            .expect("P- P- T- T- T- T-")
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("wrong-password", Category::Auth,
          "the role's password differs from the client's: 28P01 password authentication failed",
          "Every mode fails, but allow and prefer each send their proof twice (one retry over the other transport).")
            .server(Behaviour { password: RolePassword::Other, ..Behaviour::honest() })
            .expect("R+ R+ R+ R+ R+ R+")
            // Over plaintext libpq refuses before sending anything; over TLS the proof goes out,
            // fails, and prefer's plaintext retry is refused locally.
            .with_variant(cb_require("R- R- R+ R+ R+ R+")),
        s("no-password-given", Category::Auth,
          "the server asks for SCRAM but the client has no password",
          "libpq fails with `fe_sendauth: no password supplied` before sending anything; no mode retries.")
            .client(NoPassword)
            .expect("R- R- R- R- R- R-"),
        // ------------------------------------------------------------------ man in the middle
        s("mitm-self-signed", Category::Mitm,
          "an attacker presents a self-signed certificate for c-demo.pgtls.test and asks for a cleartext password",
          "With a root file, require and verify-* refuse; prefer fails verification, reconnects in plaintext and hands the password over.")
            .pki(PkiRecipe::leaf(HOST).anchor(Anchor::SelfSigned))
            .server(Behaviour::attacker())
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT))
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("mitm-other-ca", Category::Mitm,
          "an attacker presents a certificate for the right name from a CA the client does not trust",
          "Same as self-signed: only the chain check stands between the client and the attacker.")
            .pki(PkiRecipe::leaf(HOST).anchor(Anchor::ForeignRoot))
            .server(Behaviour::attacker())
            .expect(CHAIN_FAILS)
            .with_variant(no_rootcert(NO_ROOT))
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("mitm-same-ca-other-name", Category::Mitm,
          "an attacker presents a genuine certificate from the trusted CA, issued for another host",
          "verify-ca (and require with a root file) accept any certificate from the CA; only verify-full notices.")
            .pki(PkiRecipe::leaf("evil.pgtls.test"))
            .server(Behaviour::attacker())
            .expect(NAME_FAILS)
            .with_variant(no_rootcert(NO_ROOT))
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("mitm-strip-ssl", Category::Mitm,
          "an attacker answers N to SSLRequest and asks for a cleartext password",
          "SSL stripping: prefer (the default) and allow continue in plaintext and send the password.")
            .pki(PkiRecipe::leaf(HOST))
            .server(Behaviour { ssl_answer: SslAnswer::Refuse, ..Behaviour::attacker() })
            .expect("P+ P+ P+ R- R- R-")
            .with_variant(no_rootcert("P+ P+ P+ R- R- R-"))
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("mitm-buffer-stuffing", Category::Mitm,
          "an attacker answers S plus an injected AuthenticationCleartextPassword in the same packet (CVE-2021-23222)",
          "libpq since 14.1 rejects bytes buffered before the handshake (`received unencrypted data after SSL response`) in every mode that sends SSLRequest; disable and allow start in plaintext and hand the attacker their password.")
            .server(Behaviour {
                ssl_answer: SslAnswer::AcceptWithInjected(vec![b'R', 0, 0, 0, 8, 0, 0, 0, 3]),
                ..Behaviour::attacker()
            })
            .expect("P+ P+ R- R- R- R-")
            .with_variant(no_rootcert("P+ P+ R- R- R- R-"))
            .with_variant(cb_require("R- R- R- R- R- R-")),
        s("mitm-channel-binding", Category::Mitm,
          "a TLS-inspecting proxy with a certificate for c-demo.pgtls.test from the trusted CA relays SCRAM to the genuine server",
          "Certificate checks all pass; channel binding is the only defence. Emulated: over TLS the SCRAM-SHA-256-PLUS exchange binds to the genuine server's certificate (as the real server behind the proxy would), not to the one the client saw, so the client's binding fails with 28000 `SCRAM channel binding check failed` after it has sent its proof. libpq's default channel_binding=prefer already picks PLUS; prefer then retries in plaintext, where the relay succeeds.")
            .pki(PkiRecipe::leaf(HOST).genuine_server(HOST))
            .server(Behaviour { attacker: true, relay_channel_binding: true, ..Behaviour::honest() })
            .expect("P+ P+ P+ R+ R+ R+")
            .with_variant(cb_require("R- R- R+ R+ R+ R+"))
            .with_variant(variant("channel-binding-disable", "the client sets channel_binding=disable: the relay goes unnoticed",
                vec![Set("channel_binding", "disable")], ALL_GOOD))
            .with_variant(no_rootcert("P+ P+ P+ R+ R- R-")),
    ]
}
