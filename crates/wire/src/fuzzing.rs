//! Entry points for fuzz targets (and for replaying their corpora in tests).
//!
//! Each function decodes arbitrary bytes and, when decoding succeeds, asserts that
//! re-encoding gives back exactly the consumed bytes. They panic only on a codec bug.

use crate::{BackendMessage, FrontendMessage, Limits, PasswordContext, StartupPacket};

fn check_consumed(data: &[u8], n: usize, encoded: &[u8], what: &str) {
    assert!(
        n > 0 && n <= data.len(),
        "{what}: consumed {n} of {}",
        data.len()
    );
    assert_eq!(
        Some(encoded),
        data.get(..n),
        "{what}: re-encoding differs from the decoded bytes"
    );
}

/// Decodes `data` as a startup packet; a success must round-trip.
pub fn frontend_startup(data: &[u8]) {
    if let Ok(Some((packet, n))) = StartupPacket::decode(data) {
        check_consumed(data, n, &packet.to_bytes(), "StartupPacket");
    }
}

/// Decodes `data` as a typed frontend message in every password context (with the default
/// limits and a small one); a success must round-trip.
pub fn frontend(data: &[u8]) {
    for limits in [Limits::default(), Limits::new(64)] {
        for ctx in [
            PasswordContext::Password,
            PasswordContext::SaslInitial,
            PasswordContext::SaslResponse,
        ] {
            if let Ok(Some((msg, n))) = FrontendMessage::decode(data, limits, ctx) {
                check_consumed(data, n, &msg.to_bytes(), "FrontendMessage");
            }
        }
    }
}

/// Decodes `data` as a sequence of backend messages; every success must round-trip.
pub fn backend(data: &[u8]) {
    let mut rest = data;
    while let Ok(Some((msg, n))) = BackendMessage::decode(rest, Limits::default()) {
        check_consumed(rest, n, &msg.to_bytes(), "BackendMessage");
        // Rendering must not panic either.
        if let BackendMessage::ErrorResponse(f) | BackendMessage::NoticeResponse(f) = &msg {
            let _ = f.libpq_text(true);
        }
        rest = rest.get(n..).unwrap_or_default();
    }
}
