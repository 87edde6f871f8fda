//! Host-name matching against a small reference model written here from libpq-client.md §5
//! (and libpq's wildcard quirk), independent of the probe's implementation: it classifies
//! hosts with Rust's `Ipv6Addr` parser and its own `inet_aton`, and formats IPs with Rust's
//! `Display`. Generated certificates mix CNs, dNSName/iPAddress SANs, wildcards, IPs written
//! as DNS names and odd IP lengths; hosts are drawn near those names.

use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use pgtls_probe::verify::match_hostname;

use super::certgen::{cert, Name};

#[derive(Debug, Clone)]
enum San {
    Dns(String),
    Ip(Vec<u8>),
}

/// inet_aton, written as "strip trailing white space garbage, split on dots, parse C numbers".
fn ref_inet_aton(host: &str) -> Option<u32> {
    let head = match host.find(|c: char| c.is_ascii_whitespace() || c == '\x0b') {
        Some(0) => return None,
        Some(i) => &host[..i],
        None => host,
    };
    let parts: Vec<&str> = head.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut values = Vec::new();
    for p in &parts {
        let v = if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u64::from_str_radix(hex, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            if !p.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            u64::from_str_radix(&p[1..], 8).ok()?
        } else if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
            p.parse::<u64>().ok()?
        } else if *p == "0" {
            0
        } else {
            return None;
        };
        values.push(v);
    }
    let (last, first) = values.split_last()?;
    if first.iter().any(|v| *v > 255) {
        return None;
    }
    let room = 32 - 8 * first.len() as u32;
    if (room < 32 && *last >= 1u64 << room) || *last > u64::from(u32::MAX) {
        return None;
    }
    let mut word = *last as u32;
    for (i, v) in first.iter().enumerate() {
        word |= (*v as u32) << (24 - 8 * i);
    }
    Some(word)
}

fn ref_host_ip(host: &str) -> (Option<[u8; 4]>, Option<[u8; 16]>) {
    (
        ref_inet_aton(host).map(|w| w.to_be_bytes()),
        host.parse::<Ipv6Addr>().ok().map(|a| a.octets()),
    )
}

fn ref_dns_match(pattern: &str, host: &str) -> bool {
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(suffix) = pattern.strip_prefix('*') else {
        return false;
    };
    if !suffix.starts_with('.') || pattern.len() < 3 || host.len() < pattern.len() {
        return false;
    }
    let (label, tail) = host.split_at(host.len() - suffix.len());
    // The `*` stands for `label`; libpq only looks for dots before its last character.
    tail.eq_ignore_ascii_case(suffix) && !label[..label.len() - 1].contains('.')
}

fn ref_model(cn: Option<&str>, sans: &[San], host: &str) -> Result<(), String> {
    let (v4, v6) = ref_host_ip(host);
    let host_is_ip = v4.is_some() || v6.is_some();
    let mut examined: Vec<String> = Vec::new();
    let mut cn_allowed = true;
    for san in sans {
        match san {
            San::Dns(d) => {
                if !host_is_ip {
                    cn_allowed = false;
                }
                if d.contains('\0') {
                    return Err("SSL certificate's name contains embedded null".into());
                }
                examined.push(d.clone());
                if ref_dns_match(d, host) {
                    return Ok(());
                }
            }
            San::Ip(bytes) => {
                if host_is_ip {
                    cn_allowed = false;
                }
                let hit = match bytes.len() {
                    4 => {
                        examined.push(
                            Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
                        );
                        v4.is_some_and(|a| a[..] == bytes[..])
                    }
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(bytes);
                        examined.push(Ipv6Addr::from(a).to_string());
                        v6.is_some_and(|h| h[..] == bytes[..])
                    }
                    n => {
                        return Err(format!(
                            "certificate contains IP address with invalid length {n}"
                        ))
                    }
                };
                if hit {
                    return Ok(());
                }
            }
        }
    }
    if cn_allowed {
        if let Some(cn) = cn {
            if cn.contains('\0') {
                return Err("SSL certificate's name contains embedded null".into());
            }
            examined.push(cn.to_owned());
            if ref_dns_match(cn, host) {
                return Ok(());
            }
        }
    }
    Err(match examined.len() {
        0 => "could not get server's host name from server certificate".to_owned(),
        1 => format!(
            "server certificate for \"{}\" does not match host name \"{host}\"",
            examined[0]
        ),
        n => format!(
            "server certificate for \"{}\" (and {} other {}) does not match host name \"{host}\"",
            examined[0],
            n - 1,
            if n == 2 { "name" } else { "names" }
        ),
    })
}

const LABELS: &[&str] = &["db", "DB", "a", "x-1", "pg", "wild", ""];
const ZONES: &[&str] = &["example.test", "Example.TEST", "pg.test", "b.c"];
const V4: &[[u8; 4]] = &[[192, 0, 2, 1], [127, 0, 0, 1], [10, 1, 2, 3], [0, 0, 0, 0]];
const V6: &[&str] = &[
    "2001:db8::1",
    "::1",
    "fe80::1",
    "2001:db8:0:1:2:3:4:5",
    "::ffff:192.0.2.1",
];

fn dns_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(LABELS),
        prop::sample::select(ZONES),
        0..6u8,
    )
        .prop_map(|(l, z, kind)| match kind {
            0 => format!("*.{z}"),
            1 => format!("{l}.{z}."),
            2 => format!("f*.{z}"),
            3 => z.to_owned(),
            _ => format!("{l}.{z}"),
        })
}

/// IPv4 text in forms inet_aton accepts (and some it does not).
fn v4_text(a: [u8; 4], form: u8) -> String {
    let [p, q, r, s] = a;
    match form {
        0 => format!("{p}.{q}.{r}.{s}"),
        1 => format!("{p:03}.{q:03}.{r:03}.{s:03}"),
        2 => format!("0x{p:x}.{q}.{r}.{s}"),
        3 => format!("{p}.{}", u32::from_be_bytes([0, q, r, s])),
        4 => format!("{}", u32::from_be_bytes(a)),
        5 => format!("{p}.{q}.{r}.{s}/32"),
        6 => format!("{p}.{q}.{r}.{s} trailing"),
        _ => format!("{p}.{q}.{r}.{s}."),
    }
}

fn san() -> impl Strategy<Value = San> {
    prop_oneof![
        4 => dns_name().prop_map(San::Dns),
        2 => (prop::sample::select(V4), 0..3u8).prop_map(|(a, f)| if f == 0 {
            San::Dns(v4_text(a, 0))
        } else {
            San::Ip(a.to_vec())
        }),
        2 => prop::sample::select(V6).prop_map(|t| San::Ip(t.parse::<Ipv6Addr>().unwrap().octets().to_vec())),
        1 => prop::sample::select(V6).prop_map(|t| San::Dns(t.to_owned())),
        1 => (1usize..20).prop_filter("valid length", |n| *n != 4 && *n != 16).prop_map(|n| San::Ip(vec![7; n])),
        1 => Just(San::Dns("nul\0.example.test".to_owned())),
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop::sample::select(LABELS), prop::sample::select(ZONES), 0..4u8).prop_map(|(l, z, k)| match k {
            0 => z.to_owned(),
            1 => format!("{l}.{z}."),
            2 => format!("{l}.{l}.{z}"),
            _ => format!("{l}.{z}"),
        }),
        3 => (prop::sample::select(V4), 0..8u8).prop_map(|(a, f)| v4_text(a, f)),
        2 => (prop::sample::select(V6), 0..3u8).prop_map(|(t, f)| {
            let a: Ipv6Addr = t.parse().unwrap();
            match f {
                0 => t.to_uppercase(),
                1 => {
                    let s = a.segments();
                    format!("{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}", s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
                }
                _ => format!("{t}/128"),
            }
        }),
    ]
}

fn cn() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        3 => dns_name().prop_map(Some),
        1 => (prop::sample::select(V4), 0..2u8).prop_map(|(a, f)| Some(v4_text(a, f))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn host_name_matching_agrees_with_reference_model(
        cn in cn(),
        sans in prop::option::of(prop::collection::vec(san(), 0..4)),
        host in host(),
    ) {
        let names: Vec<Name<'_>> = sans
            .iter()
            .flatten()
            .map(|s| match s {
                San::Dns(d) => Name::Dns(d.as_bytes()),
                San::Ip(i) => Name::Ip(i),
            })
            .collect();
        let cns: Vec<&[u8]> = cn.iter().map(|c| c.as_bytes()).collect();
        let der = cert(&cns, sans.as_ref().map(|_| names.as_slice()));
        let expected = ref_model(cn.as_deref(), sans.as_deref().unwrap_or(&[]), &host);
        prop_assert_eq!(match_hostname(&der, &host), expected);
    }
}

#[test]
fn reference_inet_aton_agrees_with_hand_checked_glibc_values() {
    // Values checked against glibc's inet_aton by hand (Python's socket.inet_aton).
    assert_eq!(ref_inet_aton("192.000.002.001"), Some(0xc000_0201));
    assert_eq!(ref_inet_aton("0x7f.1"), Some(0x7f00_0001));
    assert_eq!(ref_inet_aton("10.0.258"), Some(0x0a00_0102));
    assert_eq!(ref_inet_aton("1.2.3.4 trailing"), Some(0x0102_0304));
    assert_eq!(ref_inet_aton("1.2.3.4."), None);
    assert_eq!(ref_inet_aton("08.1.1.1"), None);
    assert_eq!(ref_inet_aton("1.2.3.4/32"), None);
}
