//! ErrorResponse fields and libpq's rendering of them.

use pgtls_wire::{field, BackendMessage, ErrorFields, Limits};
use pretty_assertions::assert_eq;

#[test]
fn fatal_constructor_sends_s_v_c_m_in_server_order() {
    let f = ErrorFields::fatal("28P01", "password authentication failed for user \"alice\"");
    assert_eq!(
        f.fields,
        vec![
            (b'S', "FATAL".to_string()),
            (b'V', "FATAL".to_string()),
            (b'C', "28P01".to_string()),
            (
                b'M',
                "password authentication failed for user \"alice\"".to_string()
            ),
        ]
    );
    assert_eq!(
        f.to_string(),
        "FATAL:  password authentication failed for user \"alice\""
    );
}

#[test]
fn detail_and_hint_lines_use_two_spaces_like_libpq() {
    let f = ErrorFields::fatal("28000", "SCRAM channel binding negotiation error")
        .with_detail(
            "The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.",
        )
        .with_hint("Check the client.");
    assert_eq!(
        f.libpq_detail_lines(),
        vec![
            "DETAIL:  The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.".to_string(),
            "HINT:  Check the client.".to_string(),
        ]
    );
    assert_eq!(
        f.libpq_text(true),
        "FATAL:  SCRAM channel binding negotiation error\n\
         DETAIL:  The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.\n\
         HINT:  Check the client.\n"
    );
}

#[test]
fn context_line_is_shown_for_errors_not_notices() {
    let f = ErrorFields::error("42000", "boom").with(field::CONTEXT, "PL/pgSQL function f()");
    assert!(f
        .libpq_text(true)
        .ends_with("CONTEXT:  PL/pgSQL function f()\n"));
    assert!(!f.libpq_text(false).contains("CONTEXT"));
}

#[test]
fn position_is_appended_as_at_character() {
    let f = ErrorFields::error("42601", "syntax error at or near \"x\"").with(field::POSITION, "8");
    assert_eq!(
        f.to_string(),
        "ERROR:  syntax error at or near \"x\" at character 8"
    );
}

#[test]
fn missing_severity_prints_just_the_message() {
    let f = ErrorFields {
        fields: vec![(field::MESSAGE, "hello".into())],
    };
    assert_eq!(f.to_string(), "hello");
    assert_eq!(f.severity(), None);
    assert_eq!(f.sqlstate(), None);
}

#[test]
fn every_field_code_and_unknown_codes_round_trip() {
    let mut f = ErrorFields::default();
    for code in field::ALL {
        f.fields.push((code, format!("value of {}", code as char)));
    }
    f.fields.push((b'Z', "future field".into()));
    let msg = BackendMessage::ErrorResponse(f.clone());
    let bytes = msg.to_bytes();
    let (decoded, _) = BackendMessage::decode(&bytes, Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(decoded, msg);
    assert_eq!(f.get(field::ROUTINE), Some("value of R"));
    assert_eq!(f.get(field::INTERNAL_QUERY), Some("value of q"));
    assert_eq!(f.get(b'Z'), Some("future field"));
    assert_eq!(f.context(), Some("value of W"));
    assert_eq!(f.detail(), Some("value of D"));
    assert_eq!(f.hint(), Some("value of H"));
}

#[test]
fn first_occurrence_of_a_field_wins() {
    let f = ErrorFields {
        fields: vec![(b'M', "first".into()), (b'M', "second".into())],
    };
    assert_eq!(f.message(), Some("first"));
}
