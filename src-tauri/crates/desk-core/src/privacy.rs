//! Personal data is shown masked unless the reviewer needs it.

/// Keeps a quarter of the characters at each end (one to three), enough to match a value a
/// person reads out, not to copy it. Works on characters, so Arabic text masks cleanly.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 4 {
        return "•".repeat(chars.len());
    }
    let keep = (chars.len() / 4).clamp(1, 3);
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}{}{tail}", "•".repeat(chars.len() - 2 * keep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_ends_only() {
        assert_eq!(mask("TN12345678"), "TN••••••78");
        assert_eq!(mask("1990-04-02"), "19••••••02");
        assert_eq!(mask("abc"), "•••");
        assert_eq!(mask("محمد بن علي"), "مح•••••••لي");
    }
}
