//! Entry points for fuzz targets (`fuzz/` is its own workspace; targets are thin wrappers).

use crate::{parse_options, Env, Settings};

/// Parses arbitrary bytes as a connection string and checks the invariants: no panic, and
/// for anything that parses, `parse(render(x)) == x` (for both the options and the resolved
/// settings) and rendering is a fixed point; `explain` in every dialect and version neither
/// panics nor reports both an error and a policy. Panics (the fuzzer's signal) when one fails.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = Env::from_map([("HOME", "/home/fuzz"), ("USER", "fuzz")]);
    if let Ok(opts) = parse_options(text) {
        let rendered = opts.render();
        let again = parse_options(&rendered).expect("rendered options parse");
        assert_eq!(again, opts, "parse(render(x)) == x for {rendered:?}");
        assert_eq!(again.render(), rendered, "render is a fixed point");
        assert!(!opts.redacted().contains('\0'));
    }
    if let Ok(settings) = Settings::from_conninfo(text, &env) {
        let rendered = settings.render();
        let again = Settings::from_conninfo(&rendered, &env).expect("rendered settings parse");
        assert_eq!(again, settings, "settings stable through render");
        // The redacted form, read back as libpq would, never carries the password (a host named
        // `password=p` or a password that is itself `*` made a substring check cry wolf).
        if let Some(password) = settings.password.as_deref() {
            if password != "********" {
                let redacted = settings.redacted();
                if let Ok(back) = parse_options(&redacted) {
                    assert_ne!(
                        back.get("password"),
                        Some(password),
                        "the redacted form carries the password: {redacted:?}"
                    );
                }
            }
        }
    }
    let _ = crate::explain::explain(text, &crate::explain::ExplainOptions::default());
    for d in crate::explain::Dialect::ALL {
        for version in [None, Some("5"), Some("7.0"), Some("15"), Some("42.2.4")] {
            let e = crate::explain::explain(
                text,
                &crate::explain::ExplainOptions {
                    dialect: Some(d),
                    driver_version: version.map(str::to_owned),
                },
            );
            assert_eq!(e.error.is_some(), e.effective.is_none(), "error xor policy");
        }
        let _ = crate::explain::to_libpq_settings(text, Some(d), &env);
    }
}
