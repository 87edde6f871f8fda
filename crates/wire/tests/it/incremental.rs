//! Incremental decoding: "need more bytes" is distinct from "malformed".

use pgtls_wire::{BackendMessage, FrontendMessage, Limits, PasswordContext, StartupPacket};
use pretty_assertions::assert_eq;

#[test]
fn empty_buffers_need_more_bytes() {
    assert_eq!(StartupPacket::decode(&[]), Ok(None));
    assert_eq!(BackendMessage::decode(&[], Limits::default()), Ok(None));
    assert_eq!(
        FrontendMessage::decode(&[], Limits::default(), PasswordContext::Password),
        Ok(None)
    );
}

#[test]
fn partial_length_word_needs_more_bytes() {
    assert_eq!(StartupPacket::decode(b"\0\0\0"), Ok(None));
    assert_eq!(
        BackendMessage::decode(b"R\0\0\0", Limits::default()),
        Ok(None)
    );
}

#[test]
fn valid_length_with_missing_body_needs_more_bytes() {
    // Announces a 10000-byte startup packet; only 8 bytes arrived.
    assert_eq!(StartupPacket::decode(b"\0\0\x27\x10\0\x03\0\0"), Ok(None));
    // Announces a 1 MiB ErrorResponse (exactly the default limit).
    assert_eq!(
        BackendMessage::decode(b"E\x00\x10\x00\x00SFATAL", Limits::default()),
        Ok(None)
    );
}

#[test]
fn every_prefix_of_the_psql_startup_needs_more_bytes_then_decodes() {
    let bytes: &[u8] =
        b"\x00\x00\x00\x37\x00\x03\x00\x00user\0alice\0database\0db1\0application_name\0psql\0\0";
    for cut in 0..bytes.len() {
        assert_eq!(StartupPacket::decode(&bytes[..cut]), Ok(None), "cut {cut}");
    }
    assert!(StartupPacket::decode(bytes).unwrap().is_some());
}

#[test]
fn bytes_after_a_message_are_left_for_the_next_call() {
    // SSLRequest immediately followed by a StartupMessage (pipelined by a buggy client).
    let mut buf = b"\0\0\0\x08\x04\xd2\x16\x2f".to_vec();
    buf.extend_from_slice(b"\0\0\0\x09\0\x03\0\0\0");
    let (first, n) = StartupPacket::decode(&buf).unwrap().unwrap();
    assert_eq!(first, StartupPacket::SslRequest);
    assert_eq!(n, 8);
    let (second, m) = StartupPacket::decode(&buf[n..]).unwrap().unwrap();
    assert_eq!(second.name(), "StartupMessage");
    assert_eq!(n + m, buf.len());
}

#[test]
fn byte_by_byte_feeding_yields_each_message_once() {
    let mut wire = Vec::new();
    let msgs = vec![
        BackendMessage::Authentication(pgtls_wire::Authentication::Ok),
        BackendMessage::ParameterStatus {
            name: "a".into(),
            value: "b".into(),
        },
        BackendMessage::ReadyForQuery(b'I'),
    ];
    for m in &msgs {
        m.encode(&mut wire);
    }
    let mut buf = Vec::new();
    let mut got = Vec::new();
    for &b in &wire {
        buf.push(b);
        while let Some((m, n)) = BackendMessage::decode(&buf, Limits::default()).unwrap() {
            got.push(m);
            buf.drain(..n);
        }
    }
    assert_eq!(got, msgs);
    assert!(buf.is_empty());
}
