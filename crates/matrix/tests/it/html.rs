//! Structural checks of the HTML report: every scenario and cell present, nothing fetched.

use pgtls_matrix::model::Report;
use pgtls_matrix::render::html;

use crate::sample;

/// Values of every `name="..."` / `name='...'` / `name=bare` attribute (case-insensitive).
pub fn attribute_values(page: &str, name: &str) -> Vec<String> {
    let lower = page.to_ascii_lowercase();
    let needle = format!("{name}=");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let start = from + i;
        from = start + needle.len();
        // Must be an attribute: preceded by whitespace inside a tag.
        if !lower[..start].ends_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let rest = &page[from..];
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        out.push(value.to_owned());
    }
    out
}

/// The checks every HTML page pgtls writes must pass.
pub fn assert_self_contained(page: &str) {
    let lower = page.to_ascii_lowercase();
    for attr in ["src", "href", "action", "srcset", "poster", "data"] {
        for v in attribute_values(page, attr) {
            let v = v.trim().to_ascii_lowercase();
            assert!(
                !v.starts_with("http://") && !v.starts_with("https://") && !v.starts_with("//"),
                "{attr}={v:?} fetches from the network"
            );
        }
    }
    for v in attribute_values(page, "href") {
        assert!(v.starts_with('#'), "href={v:?} is not an in-page anchor");
    }
    assert!(!lower.contains("<script"), "the page has a script");
    assert!(
        !lower.contains("<link"),
        "the page links an external resource"
    );
    assert!(!lower.contains("<iframe") && !lower.contains("<img") && !lower.contains("<object"));
    assert!(
        !lower.contains("@import") && !lower.contains("url("),
        "the CSS fetches something"
    );
    assert!(lower.starts_with("<!doctype html>"));
    assert!(lower.contains("<meta charset=\"utf-8\">"));
}

fn page() -> (Report, String) {
    let r = sample::report();
    let h = html(&r);
    (r, h)
}

#[test]
fn html_fetches_nothing_from_the_network() {
    let (_, h) = page();
    assert_self_contained(&h);
}

#[test]
fn html_names_every_scenario_and_links_every_cell_to_its_details() {
    let (r, h) = page();
    for s in &r.scenarios {
        let escaped = s
            .name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            h.contains(&format!(">{escaped}</a>")),
            "heat map row for {}",
            s.name
        );
        assert!(
            h.contains(&format!("<h3>{escaped}</h3>")),
            "details section for {}",
            s.name
        );
    }
    let hrefs = attribute_values(&h, "href");
    let ids = attribute_values(&h, "id");
    for c in &r.cells {
        assert!(hrefs.contains(&format!("#{}", c.id)), "no link to {}", c.id);
        assert_eq!(
            ids.iter().filter(|i| **i == c.id).count(),
            1,
            "one details block for {}",
            c.id
        );
        assert!(
            h.contains(&format!("data-cell=\"{}\"", c.id)),
            "no heat-map cell for {}",
            c.id
        );
    }
    // Every in-page link resolves.
    for href in hrefs {
        let target = href.trim_start_matches('#');
        assert!(ids.iter().any(|i| i == target), "dangling link {href}");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
}

#[test]
fn html_has_a_legend_the_guidance_and_the_environment() {
    let (r, h) = page();
    assert!(h.contains("id=\"legend\""));
    assert!(h.contains("a password reached an attacker"));
    assert!(h.contains("observed differs from expected"));
    assert!(h.contains("id=\"what-to-use\""));
    assert!(h.contains("sslmode=verify-full"));
    assert!(h.contains("openssl x509 -in /path/to/ca.pem -noout -fingerprint -sha256"));
    assert!(h.contains("pgtls fingerprint"));
    assert!(h.contains(&r.tool.version));
    assert!(h.contains(r.tool.library("rustls").expect("rustls version recorded")));
    assert!(h.contains("psql (PostgreSQL) 15.18"));
    assert!(h.contains("2025-01-31T12:00:00Z"));
    assert!(h.contains("@media print"));
}

#[test]
fn html_flags_attacker_and_mismatch_cells() {
    let (_, h) = page();
    let attacker_cells = h.matches("<td class=\"o-plaintext attacker\"").count();
    assert_eq!(attacker_cells, 3);
    assert!(h.contains("<td class=\"o-tls mismatch\""));
    assert!(h.contains("<span class=\"exp\">expected REJECT</span>"));
}

#[test]
fn html_escapes_names_and_client_output() {
    let (_, h) = page();
    assert!(h.contains("mitm-downgrade &lt;&amp;&gt;"));
    assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt; https://evil.example/"));
}

#[test]
fn html_renders_the_same_from_the_json_report() {
    let r = sample::report();
    let json = pgtls_matrix::render::json(&r);
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(html(&back), html(&r));
}
