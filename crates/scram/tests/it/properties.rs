//! Property tests: parsers never panic; honest exchanges succeed; a reference model of the
//! server's first-step decision agrees with the implementation.

use pgtls_scram::{fuzzing, ChannelBinding, ScramClient, ScramServer, SCRAM_SHA_256};
use proptest::collection::vec;
use proptest::prelude::*;

fn scram_ish() -> impl Strategy<Value = Vec<u8>> {
    // Mostly SCRAM-looking text, sometimes arbitrary bytes.
    prop_oneof![
        "[rsivecnpmya=,0-9A-Za-z+/\\-]{0,60}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..80),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn client_parsers_never_panic(data in scram_ish()) {
        fuzzing::server_first(&data);
        fuzzing::server_final(&data);
    }

    #[test]
    fn server_parsers_never_panic(data in scram_ish()) {
        fuzzing::client_messages(&data);
    }

    #[test]
    fn honest_exchanges_succeed(
        password in "[ -~]{0,20}",
        cnonce in any::<[u8; 18]>(),
        snonce in any::<[u8; 18]>(),
        salt in vec(any::<u8>(), 0..24),
        iterations in 1u32..4,
        tls in any::<bool>(),
        plus in any::<bool>(),
        hash in vec(any::<u8>(), 32..=64),
    ) {
        let cb = match (tls, plus) {
            (true, true) => ChannelBinding::TlsServerEndPoint(hash.clone()),
            (false, true) => ChannelBinding::SupportedNotUsed, // y over plaintext is fine
            _ => ChannelBinding::NotSupported,
        };
        let mut client = ScramClient::new(&password, cnonce, cb);
        let mut server = ScramServer::new(&password, &salt, iterations, snonce, tls.then_some(hash));
        let first = server.handle_client_first(client.mechanism(), client.client_first().as_bytes()).unwrap();
        let fin = client.handle_server_first(&first).unwrap();
        let v = server.handle_client_final(fin.as_bytes()).unwrap();
        client.verify_server_final(&v).unwrap();
        prop_assert_eq!(server.channel_bound(), tls && plus);
    }

    /// Reference model (written from pg-server.md §7, not from the implementation): which
    /// gs2 flags a server accepts for a plain SCRAM-SHA-256 first message.
    #[test]
    fn plain_mechanism_flag_decision_matches_the_model(flag in prop_oneof![Just('n'), Just('y'), Just('p'), Just('x')], tls in any::<bool>()) {
        let msg = match flag {
            'p' => "p=tls-server-end-point,,n=,r=abc".to_string(),
            f => format!("{f},,n=,r=abc"),
        };
        let expected_ok = match flag {
            'n' => true,
            'y' => !tls,
            _ => false,
        };
        let mut server = ScramServer::new("pw", b"s", 1, "srv", tls.then(|| vec![1; 32]));
        let result = server.handle_client_first(SCRAM_SHA_256, msg.as_bytes());
        prop_assert_eq!(result.is_ok(), expected_ok, "{:?}", result);
    }
}
