//! proptest strategies producing every message kind, restricted to values the protocol can
//! carry (no NUL in strings, non-empty parameter names, keys of 4..=256 bytes, ...).

use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FieldDescription, FrontendMessage,
    PasswordContext, ProtocolVersion, StartupPacket, CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE,
    SSL_REQUEST_CODE,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// A string without NUL (any Unicode otherwise).
pub fn cstring() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,16}"
}

/// A non-empty string without NUL.
pub fn nonempty_cstring() -> impl Strategy<Value = String> {
    "[^\u{0}]{1,16}"
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

fn nonzero_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(1u8..=255, 0..=max)
}

fn cancel_key() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![vec(any::<u8>(), 4), vec(any::<u8>(), 4..=256)]
}

pub fn startup_packet() -> impl Strategy<Value = StartupPacket> {
    prop_oneof![
        Just(StartupPacket::SslRequest),
        Just(StartupPacket::GssEncRequest),
        (any::<u32>(), cancel_key())
            .prop_map(|(pid, key)| StartupPacket::CancelRequest { pid, key }),
        (
            prop_oneof![Just(0u16), Just(2u16), any::<u16>()],
            vec((nonempty_cstring(), cstring()), 0..8)
        )
            .prop_map(|(minor, params)| StartupPacket::Startup {
                version: ProtocolVersion::new(3, minor),
                params
            }),
        (
            any::<u32>().prop_filter("not a known code", |c| {
                ProtocolVersion(*c).major() != 3
                    && ![SSL_REQUEST_CODE, GSSENC_REQUEST_CODE, CANCEL_REQUEST_CODE].contains(c)
            }),
            bytes(64)
        )
            .prop_map(|(code, body)| StartupPacket::Unknown { code, body }),
    ]
}

/// A frontend message together with the context that decodes it.
pub fn frontend_message() -> impl Strategy<Value = (PasswordContext, FrontendMessage)> {
    prop_oneof![
        nonzero_bytes(40).prop_map(|p| (PasswordContext::Password, FrontendMessage::Password(p))),
        (cstring(), option::of(bytes(80))).prop_map(|(mechanism, data)| (
            PasswordContext::SaslInitial,
            FrontendMessage::SaslInitialResponse { mechanism, data }
        )),
        bytes(80).prop_map(|d| (
            PasswordContext::SaslResponse,
            FrontendMessage::SaslResponse(d)
        )),
        (any_ctx(), cstring()).prop_map(|(c, q)| (c, FrontendMessage::Query(q))),
        any_ctx().prop_map(|c| (c, FrontendMessage::Terminate)),
        (
            any_ctx(),
            any::<u8>().prop_filter("unknown tag", |t| !b"pQX".contains(t)),
            bytes(40)
        )
            .prop_map(|(c, tag, body)| (c, FrontendMessage::Unknown { tag, body })),
    ]
}

fn any_ctx() -> impl Strategy<Value = PasswordContext> {
    prop_oneof![
        Just(PasswordContext::Password),
        Just(PasswordContext::SaslInitial),
        Just(PasswordContext::SaslResponse),
    ]
}

pub fn authentication() -> impl Strategy<Value = Authentication> {
    prop_oneof![
        Just(Authentication::Ok),
        Just(Authentication::CleartextPassword),
        any::<[u8; 4]>().prop_map(|salt| Authentication::Md5Password { salt }),
        vec(nonempty_cstring(), 0..4).prop_map(|mechanisms| Authentication::Sasl { mechanisms }),
        bytes(80).prop_map(Authentication::SaslContinue),
        bytes(80).prop_map(Authentication::SaslFinal),
        (
            any::<u32>().prop_filter("unknown code", |c| ![0, 3, 5, 10, 11, 12].contains(c)),
            bytes(40)
        )
            .prop_map(|(code, data)| Authentication::Other { code, data }),
    ]
}

fn field_code() -> impl Strategy<Value = u8> {
    prop_oneof![
        proptest::sample::select(pgtls_wire::field::ALL.to_vec()),
        1u8..=255
    ]
}

pub fn error_fields() -> impl Strategy<Value = ErrorFields> {
    vec((field_code(), cstring()), 0..10).prop_map(|fields| ErrorFields { fields })
}

fn field_description() -> impl Strategy<Value = FieldDescription> {
    (
        cstring(),
        any::<u32>(),
        any::<i16>(),
        any::<u32>(),
        any::<i16>(),
        any::<i32>(),
        any::<i16>(),
    )
        .prop_map(
            |(name, table_oid, column_id, type_oid, type_size, type_modifier, format)| {
                FieldDescription {
                    name,
                    table_oid,
                    column_id,
                    type_oid,
                    type_size,
                    type_modifier,
                    format,
                }
            },
        )
}

pub fn backend_message() -> impl Strategy<Value = BackendMessage> {
    prop_oneof![
        authentication().prop_map(BackendMessage::Authentication),
        (cstring(), cstring())
            .prop_map(|(name, value)| BackendMessage::ParameterStatus { name, value }),
        (any::<u32>(), cancel_key())
            .prop_map(|(pid, key)| BackendMessage::BackendKeyData { pid, key }),
        any::<u8>().prop_map(BackendMessage::ReadyForQuery),
        error_fields().prop_map(BackendMessage::ErrorResponse),
        error_fields().prop_map(BackendMessage::NoticeResponse),
        (any::<u32>(), vec(cstring(), 0..4)).prop_map(|(newest_minor, options)| {
            BackendMessage::NegotiateProtocolVersion {
                newest_minor,
                options,
            }
        }),
        vec(field_description(), 0..4).prop_map(BackendMessage::RowDescription),
        vec(option::of(bytes(20)), 0..6).prop_map(BackendMessage::DataRow),
        cstring().prop_map(BackendMessage::CommandComplete),
        Just(BackendMessage::EmptyQueryResponse),
        (
            any::<u8>().prop_filter("unknown tag", |t| !b"RSKZENvTDCI".contains(t)),
            bytes(40)
        )
            .prop_map(|(tag, body)| BackendMessage::Unknown { tag, body }),
    ]
}
