//! The client's checks of server messages, each failing with libpq's exact text.

use pgtls_scram::{ChannelBinding, ScramClient, ScramError, ScramServer, SCRAM_SHA_256};
use pretty_assertions::assert_eq;

fn client() -> ScramClient {
    ScramClient::new("pencil", "cnonce", ChannelBinding::NotSupported)
}

fn first_err(server_first: &[u8]) -> String {
    client()
        .handle_server_first_bytes(server_first)
        .unwrap_err()
        .to_string()
}

/// A client that has sent its proof, and the server-final a real server would send.
fn client_after_proof() -> (ScramClient, String) {
    let mut c = client();
    let mut s = ScramServer::new("pencil", b"salt", 1, "snonce", None);
    let first = s
        .handle_client_first(SCRAM_SHA_256, c.client_first().as_bytes())
        .unwrap();
    let fin = c.handle_server_first(&first).unwrap();
    let v = s.handle_client_final(fin.as_bytes()).unwrap();
    (c, v)
}

fn final_err(server_final: &str) -> String {
    let (c, _) = client_after_proof();
    c.verify_server_final(server_final).unwrap_err().to_string()
}

#[test]
fn server_nonce_not_extending_ours_is_a_nonce_mismatch() {
    assert_eq!(
        first_err(b"r=othernonce,s=QUJD,i=4096"),
        "invalid SCRAM response (nonce mismatch)"
    );
    assert_eq!(
        first_err(b"r=cnon,s=QUJD,i=4096"),
        "invalid SCRAM response (nonce mismatch)"
    );
}

#[test]
fn server_nonce_equal_to_ours_is_accepted_like_libpq() {
    // libpq only checks the prefix; an empty server part passes.
    client().handle_server_first("r=cnonce,s=QUJD,i=1").unwrap();
}

#[test]
fn salt_that_is_not_base64_is_an_invalid_salt() {
    for salt in ["***", "QUJ", "QU JD", "Q==="] {
        assert_eq!(
            first_err(format!("r=cnonceX,s={salt},i=4096").as_bytes()),
            "malformed SCRAM message (invalid salt)",
            "salt {salt:?}"
        );
    }
}

#[test]
fn iteration_count_must_be_a_positive_integer() {
    for i in ["0", "-4096", "abc", "", "4096x", "4294967296"] {
        assert_eq!(
            first_err(format!("r=cnonceX,s=QUJD,i={i}").as_bytes()),
            "malformed SCRAM message (invalid iteration count)",
            "i={i:?}"
        );
    }
}

#[test]
fn attributes_after_the_iteration_count_are_noted_but_not_fatal_like_libpq() {
    let mut c = client();
    c.handle_server_first("r=cnonceX,s=QUJD,i=1,x=extension")
        .unwrap();
    assert_eq!(c.pending_messages(), &[ScramError::GarbageAfterServerFirst]);
    assert_eq!(
        c.pending_messages()[0].to_string(),
        "malformed SCRAM message (garbage at end of server-first-message)"
    );
    // A later SCRAM failure shows the note first, as libpq's message buffer does.
    let err = c.verify_server_final("e=invalid-proof").unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed SCRAM message (garbage at end of server-first-message)\n\
         error received from server in SCRAM exchange: invalid-proof"
    );
    assert_eq!(err.last(), &ScramError::ServerError("invalid-proof".into()));
}

#[test]
fn attributes_out_of_order_are_reported_by_letter() {
    assert_eq!(
        first_err(b"s=QUJD,r=cnonceX,i=1"),
        "malformed SCRAM message (attribute \"r\" expected)"
    );
    assert_eq!(
        first_err(b"r=cnonceX,i=1"),
        "malformed SCRAM message (attribute \"s\" expected)"
    );
    assert_eq!(
        first_err(b"r=cnonceX,s=QUJD"),
        "malformed SCRAM message (attribute \"i\" expected)"
    );
    assert_eq!(
        first_err(b"rcnonce"),
        "malformed SCRAM message (expected character \"=\" for attribute \"r\")"
    );
}

#[test]
fn empty_or_nul_containing_messages_are_malformed() {
    assert_eq!(first_err(b""), "malformed SCRAM message (empty message)");
    assert_eq!(
        first_err(b"r=cnonceX\0,s=QUJD,i=1"),
        "malformed SCRAM message (length mismatch)"
    );
    assert_eq!(final_err(""), "malformed SCRAM message (empty message)");
}

#[test]
fn hostile_iteration_counts_are_refused_before_hashing() {
    let err = ScramClient::new("pw", "n", ChannelBinding::NotSupported)
        .with_max_iterations(10_000)
        .handle_server_first("r=nX,s=QUJD,i=2000000000")
        .unwrap_err();
    assert_eq!(
        err,
        ScramError::TooManyIterations {
            iterations: 2_000_000_000,
            max: 10_000
        }
    );
}

#[test]
fn genuine_server_final_verifies() {
    let (c, v) = client_after_proof();
    c.verify_server_final(&v).unwrap();
}

#[test]
fn server_error_attribute_is_reported_with_its_value() {
    assert_eq!(
        final_err("e=invalid-proof"),
        "error received from server in SCRAM exchange: invalid-proof"
    );
    assert_eq!(
        final_err("e=channel-bindings-dont-match"),
        "error received from server in SCRAM exchange: channel-bindings-dont-match"
    );
}

#[test]
fn malformed_server_signatures_are_invalid() {
    for v in ["v=", "v=***", "v=QUJD", "v=QUJDRA"] {
        assert_eq!(
            final_err(v),
            "malformed SCRAM message (invalid server signature)",
            "{v}"
        );
    }
}

#[test]
fn wrong_server_signature_is_incorrect() {
    assert_eq!(
        final_err("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        "incorrect server signature"
    );
}

#[test]
fn attributes_after_a_correct_signature_are_accepted_like_libpq() {
    let (c, v) = client_after_proof();
    c.verify_server_final(&format!("{v},x=1")).unwrap();
}

#[test]
fn attributes_after_a_wrong_signature_are_reported_before_it() {
    assert_eq!(
        final_err("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,x=1"),
        "malformed SCRAM message (garbage at end of server-final-message)\n\
         incorrect server signature"
    );
}

#[test]
fn server_final_without_v_names_the_attribute() {
    assert_eq!(
        final_err("x=1"),
        "malformed SCRAM message (attribute \"v\" expected)"
    );
}

#[test]
fn second_server_first_is_invalid_state() {
    let mut c = client();
    c.handle_server_first("r=cnonceX,s=QUJD,i=1").unwrap();
    assert_eq!(
        c.handle_server_first("r=cnonceX,s=QUJD,i=1").unwrap_err(),
        ScramError::InvalidState
    );
}
