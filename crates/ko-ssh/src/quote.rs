//! Quoting for the remote POSIX shell.

/// Quotes `s` as one word for a POSIX shell: `'...'` with embedded quotes escaped. Every value
/// that reaches a remote shell goes through this.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_it() {
        assert_eq!(shell_quote("/var/lib/ko"), "/var/lib/ko");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(reboot)"), "'$(reboot)'");
        assert_eq!(shell_quote("x;rm -rf /"), "'x;rm -rf /'");
    }

    #[test]
    fn the_shell_gets_back_exactly_the_value() {
        for v in ["plain", "a b", "it's", "$(id)", "`id`", "a\nb", "\\", "'\"'", "*", "-n"] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", shell_quote(v)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), v);
        }
    }
}
