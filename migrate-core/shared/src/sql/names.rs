//! Generated names and PostgreSQL's identifier limit. The server silently truncates names
//! longer than 63 bytes, so two long generated names could collide after truncation; we
//! shorten instead, deterministically, with a hash of the full name as suffix.

use sha2::{Digest, Sha256};

/// PostgreSQL's NAMEDATALEN - 1.
pub const MAX_IDENT_BYTES: usize = 63;

/// Returns `name` unchanged when it fits in 63 bytes; otherwise its longest prefix that
/// fits (cut on a character boundary) followed by `_` and 8 hex digits of its SHA-256, so
/// different long names stay different.
pub fn shorten_name(name: &str) -> String {
    if name.len() <= MAX_IDENT_BYTES {
        return name.to_owned();
    }
    let hash = Sha256::digest(name.as_bytes());
    let suffix: String = hash[..4].iter().map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX_IDENT_BYTES - 1 - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{}", name[..cut].trim_end_matches('_'), suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_kept() {
        assert_eq!(shorten_name("users_email_key"), "users_email_key");
        let exact = "a".repeat(63);
        assert_eq!(shorten_name(&exact), exact);
    }

    #[test]
    fn long_names_fit_and_stay_distinct() {
        let a = format!("{}_a_idx", "x".repeat(70));
        let b = format!("{}_b_idx", "x".repeat(70));
        let (sa, sb) = (shorten_name(&a), shorten_name(&b));
        assert!(sa.len() <= 63 && sb.len() <= 63, "{sa} {sb}");
        assert_ne!(sa, sb);
        assert_eq!(sa, shorten_name(&a), "deterministic");
    }

    #[test]
    fn cuts_on_char_boundaries() {
        let long = "é".repeat(40); // 80 bytes
        let s = shorten_name(&long);
        assert!(s.len() <= 63);
        assert!(s.starts_with("éé"));
    }
}
