//! Property tests: every generated message round-trips, every prefix is "need more bytes",
//! trailing bytes are left alone, and arbitrary bytes never panic.

use pgtls_wire::{fuzzing, BackendMessage, FrontendMessage, Limits, StartupPacket};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::strategies::{backend_message, frontend_message, startup_packet};

proptest! {
    #[test]
    fn startup_packets_round_trip(packet in startup_packet(), extra in vec(any::<u8>(), 0..8)) {
        let bytes = packet.to_bytes();
        let mut buf = bytes.clone();
        buf.extend_from_slice(&extra);
        let (decoded, n) = StartupPacket::decode(&buf).unwrap().unwrap();
        prop_assert_eq!(&decoded, &packet);
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(decoded.to_bytes(), bytes);
    }

    #[test]
    fn startup_packet_prefixes_need_more_bytes(packet in startup_packet()) {
        let bytes = packet.to_bytes();
        for cut in 0..bytes.len() {
            prop_assert_eq!(StartupPacket::decode(&bytes[..cut]), Ok(None), "cut at {}", cut);
        }
    }

    #[test]
    fn frontend_messages_round_trip((ctx, msg) in frontend_message(), extra in vec(any::<u8>(), 0..8)) {
        let bytes = msg.to_bytes();
        let mut buf = bytes.clone();
        buf.extend_from_slice(&extra);
        let (decoded, n) = FrontendMessage::decode(&buf, Limits::default(), ctx).unwrap().unwrap();
        prop_assert_eq!(&decoded, &msg);
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(decoded.to_bytes(), bytes);
    }

    #[test]
    fn frontend_prefixes_need_more_bytes((ctx, msg) in frontend_message()) {
        let bytes = msg.to_bytes();
        for cut in 0..bytes.len() {
            prop_assert_eq!(FrontendMessage::decode(&bytes[..cut], Limits::default(), ctx), Ok(None));
        }
    }

    #[test]
    fn backend_messages_round_trip(msg in backend_message(), extra in vec(any::<u8>(), 0..8)) {
        let bytes = msg.to_bytes();
        let mut buf = bytes.clone();
        buf.extend_from_slice(&extra);
        let (decoded, n) = BackendMessage::decode(&buf, Limits::default()).unwrap().unwrap();
        prop_assert_eq!(&decoded, &msg);
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(decoded.to_bytes(), bytes);
    }

    #[test]
    fn backend_prefixes_need_more_bytes(msg in backend_message()) {
        let bytes = msg.to_bytes();
        for cut in 0..bytes.len() {
            prop_assert_eq!(BackendMessage::decode(&bytes[..cut], Limits::default()), Ok(None));
        }
    }

    #[test]
    fn backend_messages_over_the_limit_are_rejected_from_the_header(msg in backend_message()) {
        let bytes = msg.to_bytes();
        let limit = Limits::new(bytes.len() - 2); // length word = len - 1 > limit
        let err = BackendMessage::decode(&bytes[..5], limit).unwrap_err();
        prop_assert_eq!(err.offset(), 1);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..300)) {
        fuzzing::frontend_startup(&data);
        fuzzing::frontend(&data);
        fuzzing::backend(&data);
    }

    #[test]
    fn mutated_messages_never_panic(msg in backend_message(), pos in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = msg.to_bytes();
        let i = pos % bytes.len();
        bytes[i] = byte;
        fuzzing::backend(&bytes);
        fuzzing::frontend(&bytes);
        fuzzing::frontend_startup(&bytes);
    }

    #[test]
    fn mutated_startup_packets_never_panic(packet in startup_packet(), pos in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = packet.to_bytes();
        let i = pos % bytes.len();
        bytes[i] = byte;
        fuzzing::frontend_startup(&bytes);
    }
}
