//! The server's checks of client messages: PostgreSQL's SQLSTATE, message and detail.

use pgtls_scram::{ScramServer, ScramServerError, SCRAM_SHA_256, SCRAM_SHA_256_PLUS};
use pretty_assertions::assert_eq;

fn plain() -> ScramServer {
    ScramServer::new("pw", b"salt", 1, "srv", None)
}

fn tls() -> ScramServer {
    ScramServer::new("pw", b"salt", 1, "srv", Some(vec![9; 32]))
}

fn first_err(mut server: ScramServer, mechanism: &str, msg: &str) -> (String, String, String) {
    let e = server
        .handle_client_first(mechanism, msg.as_bytes())
        .unwrap_err();
    parts(e)
}

fn parts(e: ScramServerError) -> (String, String, String) {
    (
        e.sqlstate.to_string(),
        e.message,
        e.detail.unwrap_or_default(),
    )
}

fn t(sqlstate: &str, message: &str, detail: &str) -> (String, String, String) {
    (sqlstate.into(), message.into(), detail.into())
}

#[test]
fn channel_binding_data_with_plain_mechanism_is_malformed() {
    assert_eq!(
        first_err(tls(), SCRAM_SHA_256, "p=tls-server-end-point,,n=,r=abc"),
        t(
            "08P01",
            "malformed SCRAM message",
            "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data."
        )
    );
}

#[test]
fn plus_mechanism_without_channel_binding_data_is_malformed() {
    for flag in ["n", "y"] {
        assert_eq!(
            first_err(tls(), SCRAM_SHA_256_PLUS, &format!("{flag},,n=,r=abc")),
            t(
                "08P01",
                "malformed SCRAM message",
                "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data."
            )
        );
    }
}

#[test]
fn plus_over_plaintext_is_an_invalid_mechanism() {
    assert_eq!(
        first_err(
            plain(),
            SCRAM_SHA_256_PLUS,
            "p=tls-server-end-point,,n=,r=abc"
        ),
        t(
            "08P01",
            "client selected an invalid SASL authentication mechanism",
            ""
        )
    );
    assert_eq!(
        first_err(plain(), "SCRAM-SHA-1", "n,,n=,r=abc").1,
        "client selected an invalid SASL authentication mechanism"
    );
}

#[test]
fn other_channel_binding_types_are_unsupported() {
    assert_eq!(
        first_err(tls(), SCRAM_SHA_256_PLUS, "p=tls-unique,,n=,r=abc"),
        t(
            "08P01",
            "unsupported SCRAM channel-binding type \"tls-unique\"",
            ""
        )
    );
}

#[test]
fn authorization_identity_is_not_supported() {
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,a=admin,n=,r=abc"),
        t(
            "0A000",
            "client uses authorization identity, but it is not supported",
            ""
        )
    );
}

#[test]
fn mandatory_extensions_are_not_supported() {
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,,m=ext,n=,r=abc"),
        t(
            "0A000",
            "client requires an unsupported SCRAM extension",
            ""
        )
    );
}

#[test]
fn unknown_flag_and_missing_comma_are_malformed() {
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "x,,n=,r=abc").2,
        "Unexpected channel-binding flag \"'x'\"."
    );
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n").2,
        "Comma expected, but found character \"0x00\"."
    );
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,x").2,
        "Unexpected attribute \"'x'\" in client-first-message."
    );
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,,r=abc").2,
        "Expected attribute \"n\" but found \"'r'\"."
    );
}

#[test]
fn non_printable_nonce_is_rejected() {
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,,n=,r=a\u{7f}c"),
        t("08P01", "non-printable characters in SCRAM nonce", "")
    );
}

#[test]
fn empty_and_nul_messages_are_malformed() {
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, ""),
        t("08P01", "malformed SCRAM message", "The message is empty.")
    );
    assert_eq!(
        first_err(plain(), SCRAM_SHA_256, "n,,n=,r=a\0"),
        t(
            "08P01",
            "malformed SCRAM message",
            "Message length does not match input length."
        )
    );
}

fn final_err(mut server: ScramServer, first: &str, fin: &str) -> (String, String, String) {
    let mechanism = if first.starts_with('p') {
        SCRAM_SHA_256_PLUS
    } else {
        SCRAM_SHA_256
    };
    server
        .handle_client_first(mechanism, first.as_bytes())
        .unwrap();
    parts(server.handle_client_final(fin.as_bytes()).unwrap_err())
}

const PROOF: &str = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

#[test]
fn client_final_nonce_must_be_client_plus_server_nonce() {
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", &format!("c=biws,r=abcXXX,{PROOF}")),
        t("08P01", "invalid SCRAM response", "Nonce does not match.")
    );
}

#[test]
fn cbind_attribute_must_repeat_the_first_flag() {
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", &format!("c=eSws,r=abcsrv,{PROOF}")),
        t(
            "08P01",
            "unexpected SCRAM channel-binding attribute in client-final-message",
            ""
        )
    );
    assert_eq!(
        final_err(plain(), "y,,n=,r=abc", &format!("c=biws,r=abcsrv,{PROOF}")).1,
        "unexpected SCRAM channel-binding attribute in client-final-message"
    );
}

#[test]
fn plus_cbind_attribute_must_match_the_servers_certificate_hash() {
    assert_eq!(
        final_err(
            tls(),
            "p=tls-server-end-point,,n=,r=abc",
            &format!("c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=abcsrv,{PROOF}")
        ),
        t("28000", "SCRAM channel binding check failed", "")
    );
}

#[test]
fn proof_must_be_32_bytes_and_last() {
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", "c=biws,r=abcsrv,p=QUJD"),
        t(
            "08P01",
            "malformed SCRAM message",
            "Malformed proof in client-final-message."
        )
    );
    assert_eq!(
        final_err(
            plain(),
            "n,,n=,r=abc",
            &format!("c=biws,r=abcsrv,{PROOF},x=1")
        )
        .2,
        "Garbage found at the end of client-final-message."
    );
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", "c=biws,r=abcsrv").2,
        "Attribute expected, but found end of string."
    );
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", "c=biws,r=abcsrv,1=x").2,
        "Attribute expected, but found invalid character \"'1'\"."
    );
}

#[test]
fn well_formed_but_wrong_proof_is_28p01_with_the_scram_user_by_default() {
    assert_eq!(
        final_err(plain(), "n,,n=,r=abc", &format!("c=biws,r=abcsrv,{PROOF}")),
        t("28P01", "password authentication failed for user \"\"", "")
    );
}
