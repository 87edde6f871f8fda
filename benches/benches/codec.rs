//! pgtls-wire throughput: encoding and decoding what crosses the wire in one trust-auth
//! connection (both directions), and a large error response.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput};
use pgtls_benches::ratios;
use pgtls_wire::{
    Authentication, BackendMessage, ErrorFields, FrontendMessage, Limits, PasswordContext,
    StartupPacket,
};

/// SSLRequest, then the StartupMessage libpq 15 sends for `psql -d postgres`.
fn frontend_packets() -> Vec<StartupPacket> {
    vec![
        StartupPacket::SslRequest,
        StartupPacket::startup([
            ("user", "postgres"),
            ("database", "postgres"),
            ("application_name", "psql"),
            ("client_encoding", "UTF8"),
        ]),
    ]
}

/// What PostgreSQL 15 answers after trust authentication.
fn backend_messages() -> Vec<BackendMessage> {
    let mut v = vec![BackendMessage::Authentication(Authentication::Ok)];
    for (name, value) in [
        ("application_name", "psql"),
        ("client_encoding", "UTF8"),
        ("DateStyle", "ISO, MDY"),
        ("default_transaction_read_only", "off"),
        ("in_hot_standby", "off"),
        ("integer_datetimes", "on"),
        ("IntervalStyle", "postgres"),
        ("is_superuser", "on"),
        ("server_encoding", "UTF8"),
        ("server_version", "15.13"),
        ("session_authorization", "postgres"),
        ("standard_conforming_strings", "on"),
        ("TimeZone", "Etc/UTC"),
    ] {
        v.push(BackendMessage::ParameterStatus {
            name: name.into(),
            value: value.into(),
        });
    }
    v.push(BackendMessage::BackendKeyData {
        pid: 4242,
        key: vec![1, 2, 3, 4],
    });
    v.push(BackendMessage::ReadyForQuery(b'I'));
    v
}

fn bench_codec(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("codec");

    let packets = frontend_packets();
    let mut front_bytes = Vec::new();
    for p in &packets {
        p.encode(&mut front_bytes);
    }
    group.throughput(Throughput::Bytes(front_bytes.len() as u64));
    group.bench_function("encode-startup", |b| {
        let mut out = Vec::with_capacity(256);
        b.iter(|| {
            out.clear();
            for p in black_box(&packets) {
                p.encode(&mut out);
            }
            out.len()
        })
    });
    group.bench_function("decode-startup", |b| {
        b.iter(|| {
            let mut buf: &[u8] = black_box(&front_bytes);
            let mut n = 0;
            while let Some((p, used)) = StartupPacket::decode(buf).expect("valid packets") {
                black_box(p);
                buf = buf.get(used..).unwrap_or_default();
                n += 1;
            }
            n
        })
    });

    let messages = backend_messages();
    let mut back_bytes = Vec::new();
    for m in &messages {
        m.encode(&mut back_bytes);
    }
    group.throughput(Throughput::Bytes(back_bytes.len() as u64));
    group.bench_function("encode-backend-after-auth", |b| {
        let mut out = Vec::with_capacity(1024);
        b.iter(|| {
            out.clear();
            for m in black_box(&messages) {
                m.encode(&mut out);
            }
            out.len()
        })
    });
    group.bench_function("decode-backend-after-auth", |b| {
        b.iter(|| decode_all(black_box(&back_bytes), limits))
    });

    let error = BackendMessage::ErrorResponse(
        ErrorFields::fatal(
            "28P01",
            "password authentication failed for user \"postgres\"",
        )
        .with_detail(
            "Connection matched pg_hba.conf line 3: \"hostssl all all 0.0.0.0/0 scram-sha-256\"",
        )
        .with_hint("x".repeat(4000)),
    );
    let error_bytes = error.to_bytes();
    group.throughput(Throughput::Bytes(error_bytes.len() as u64));
    group.bench_function("decode-error-4k", |b| {
        b.iter(|| decode_all(black_box(&error_bytes), limits))
    });

    let query = FrontendMessage::Query("SELECT 1".into()).to_bytes();
    group.throughput(Throughput::Bytes(query.len() as u64));
    group.bench_function("decode-query", |b| {
        b.iter(|| {
            FrontendMessage::decode(black_box(&query), limits, PasswordContext::Password)
                .expect("valid query")
                .map(|(_, n)| n)
        })
    });
    group.finish();
}

fn decode_all(mut buf: &[u8], limits: Limits) -> usize {
    let mut n = 0;
    while let Some((m, used)) = BackendMessage::decode(buf, limits).expect("valid messages") {
        black_box(m);
        buf = buf.get(used..).unwrap_or_default();
        n += 1;
    }
    n
}

fn main() {
    let started = SystemTime::now();
    let dir = ratios::criterion_dir();
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_codec(&mut c);
    c.final_summary();
    ratios::print_report(&dir, started, &[]);
}
