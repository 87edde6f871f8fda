//! The "what to use" summary shared by the HTML and Markdown writers.
//!
//! The advice follows the Azure Database for PostgreSQL TLS guidance (connect with
//! `sslmode=verify-full` and `sslrootcert` pointing at the CA file, and check that file's
//! fingerprint before trusting it); the evidence lines are computed from the report's cells.

use crate::model::Report;

/// One piece of advice, optionally with a command to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The advice, one sentence or two.
    pub text: String,
    /// A command line that carries it out, when there is one.
    pub command: Option<String>,
}

/// The "what to use" block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guidance {
    /// The one-line recommendation.
    pub headline: String,
    /// What to do, in order.
    pub steps: Vec<Step>,
    /// What this run showed, one line per sslmode column.
    pub evidence: Vec<String>,
}

/// The recommendation, with evidence lines from `report` (empty when the report has no cells).
pub fn guidance(report: &Report) -> Guidance {
    let mut g = static_guidance();
    for m in &report.summary.per_sslmode {
        if m.tls + m.plaintext + m.rejected == 0 {
            continue;
        }
        let exposure = match m.password_to_attacker {
            0 => "no password reached an attacker".to_owned(),
            1 => "a password reached an attacker in 1 cell".to_owned(),
            n => format!("a password reached an attacker in {n} cells"),
        };
        g.evidence.push(format!(
            "{}: {} over TLS, {} in plaintext, {} rejected; {exposure}.",
            m.sslmode, m.tls, m.plaintext, m.rejected
        ));
    }
    g
}

/// The recommendation alone (no evidence lines), for pages about a single connection.
pub fn static_guidance() -> Guidance {
    let steps = vec![
        Step {
            text: "Connect with sslmode=verify-full and sslrootcert set to the CA certificate file \
                   of your server: it is the only mode that checks both that the certificate chains \
                   to that CA and that it names the host you asked for."
                .into(),
            command: Some(
                "psql \"host=db.example.com dbname=app user=app sslmode=verify-full sslrootcert=/path/to/ca.pem\""
                    .into(),
            ),
        },
        Step {
            text: "Check the CA file before trusting it: compare its SHA-256 fingerprint with the one \
                   your provider publishes (for Azure Database for PostgreSQL, the root CAs listed in \
                   its TLS documentation)."
                .into(),
            command: Some(
                "openssl x509 -in /path/to/ca.pem -noout -fingerprint -sha256   # or: pgtls fingerprint /path/to/ca.pem"
                    .into(),
            ),
        },
        Step {
            text: "Use the host name the certificate names in host= (verify-full compares host, never \
                   hostaddr); an IP address only works if the certificate lists that IP."
                .into(),
            command: None,
        },
        Step {
            text: "Do not rely on the default (prefer), allow or require: they fall back to plaintext \
                   or accept any certificate, so a machine in the middle receives the password; \
                   require only verifies the chain when a root file happens to exist."
                .into(),
            command: None,
        },
        Step {
            text: "With SCRAM authentication, channel_binding=require additionally ties the password \
                   proof to the server's certificate."
                .into(),
            command: None,
        },
    ];
    Guidance {
        headline: "Use sslmode=verify-full with sslrootcert=<CA file>, and check the CA file's \
                   SHA-256 fingerprint."
            .into(),
        steps,
        evidence: Vec::new(),
    }
}
