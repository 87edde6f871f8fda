//! Certificate verification as libpq/OpenSSL do it (work in progress).
