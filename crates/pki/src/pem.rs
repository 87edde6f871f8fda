//! A small, bounded PEM reader and writer (RFC 7468 text as OpenSSL reads it).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::Error;

/// Encodes `der` as a PEM block with `label`: 64-column base64, LF line endings, trailing newline.
pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = b64.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// One PEM block: its label (`CERTIFICATE`, `X509 CRL`, `PRIVATE KEY`...) and decoded bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The text between `-----BEGIN ` and `-----`.
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
    /// 1-based line number of the BEGIN line.
    pub line: usize,
    /// True when the block has RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`...).
    pub has_headers: bool,
}

impl std::fmt::Debug for PemBlock {
    /// Prints label, line and length only (a block may be a private key).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PemBlock")
            .field("label", &self.label)
            .field("line", &self.line)
            .field("len", &self.der.len())
            .finish()
    }
}

/// True when `data` looks like PEM text (has a `-----BEGIN ` marker).
pub fn looks_like_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Every PEM block in `data`, in order; text outside blocks is ignored (as OpenSSL does).
/// A BEGIN without matching END, or a body that is not base64, is an error naming the line.
pub fn pem_blocks(data: &[u8]) -> Result<Vec<PemBlock>, Error> {
    let mut blocks = Vec::new();
    let mut lines = data.split(|b| *b == b'\n').enumerate();
    while let Some((idx, raw)) = lines.next() {
        let line = trim_line(raw);
        let Some(label) = marker(line, b"-----BEGIN ") else {
            continue;
        };
        let begin_line = idx + 1;
        let label = String::from_utf8_lossy(label).into_owned();
        let mut body = Vec::new();
        let mut has_headers = false;
        let mut ended = false;
        for (_, raw) in lines.by_ref() {
            let line = trim_line(raw);
            if let Some(end_label) = marker(line, b"-----END ") {
                if end_label != label.as_bytes() {
                    return Err(Error::Pem {
                        line: begin_line,
                        reason: "BEGIN and END labels differ",
                    });
                }
                ended = true;
                break;
            }
            if line.contains(&b':') {
                has_headers = true;
                continue;
            }
            body.extend(line.iter().copied().filter(|b| !b.is_ascii_whitespace()));
        }
        if !ended {
            return Err(Error::Pem {
                line: begin_line,
                reason: "no END line",
            });
        }
        let der = STANDARD.decode(&body).map_err(|_| Error::Pem {
            line: begin_line,
            reason: "bad base64",
        })?;
        blocks.push(PemBlock {
            label,
            der,
            line: begin_line,
            has_headers,
        });
    }
    Ok(blocks)
}

fn trim_line(line: &[u8]) -> &[u8] {
    let mut line = line;
    while let [rest @ .., last] = line {
        if last.is_ascii_whitespace() {
            line = rest;
        } else {
            break;
        }
    }
    line
}

/// `-----BEGIN LABEL-----` → `LABEL`.
fn marker<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix)?.strip_suffix(b"-----")
}
