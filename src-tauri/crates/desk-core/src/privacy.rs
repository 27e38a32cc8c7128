//! Personal data is shown masked unless the reviewer needs it, and text from outside is shown
//! inert: characters that would reorder or hide what is around them are made visible.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Characters that change how the text around them is shown without being seen themselves:
/// bidi embeddings, overrides, isolates and marks; zero-width characters; other controls.
fn hidden(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{180E}'
            | '\u{00AD}'
    ) || (c.is_control() && c != '\n' && c != '\t')
}

/// Text from outside (a name, a comment, a vendor_data) as it may be shown: each hidden
/// character becomes a visible mark such as `⟦U+202E⟧`, so nothing is reordered or concealed
/// and the reviewer sees that the text carried one. Markup and formula-like text stay text:
/// the window renders strings, never markup, and exports neutralise formulas.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("⟦U+{:04X}⟧", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn shown_in(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(marked) = shown(s) {
                *s = marked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(shown_in),
        serde_json::Value::Object(map) => map.values_mut().for_each(shown_in),
        _ => {}
    }
}

/// Every string inside `value` as [`shown`] makes it (a view about to leave the backend).
pub fn shown_all<T: Serialize + DeserializeOwned>(value: T) -> T {
    let mut json = match serde_json::to_value(&value) {
        Ok(json) => json,
        Err(error) => {
            tracing::warn!(%error, "a view could not be checked for hidden characters");
            return value;
        }
    };
    shown_in(&mut json);
    serde_json::from_value(json).unwrap_or_else(|error| {
        tracing::warn!(%error, "a view could not be checked for hidden characters");
        value
    })
}

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
    fn hidden_characters_are_shown_as_marks_and_plain_text_is_untouched() {
        let hostile = "\u{202E}gnp.exe\u{202C} Ali\u{200B}ce\u{0007}";
        assert_eq!(
            shown(hostile),
            "⟦U+202E⟧gnp.exe⟦U+202C⟧ Ali⟦U+200B⟧ce⟦U+0007⟧"
        );
        for plain in [
            "محمد بن علي",
            "Zoë Ñúñez",
            "<img src=x onerror=alert(1)>",
            "=1+1",
            "a\nb\tc",
        ] {
            assert!(matches!(shown(plain), Cow::Borrowed(_)), "{plain}");
        }
        #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
        struct View {
            name: Option<String>,
            notes: Vec<String>,
            count: u32,
        }
        let view = shown_all(View {
            name: Some("Sam\u{2067}ir".into()),
            notes: vec!["ok".into(), "\u{FEFF}x".into()],
            count: 3,
        });
        assert_eq!(
            view,
            View {
                name: Some("Sam⟦U+2067⟧ir".into()),
                notes: vec!["ok".into(), "⟦U+FEFF⟧x".into()],
                count: 3
            }
        );
    }

    #[test]
    fn masks_keep_the_ends_only() {
        assert_eq!(mask("TN12345678"), "TN••••••78");
        assert_eq!(mask("1990-04-02"), "19••••••02");
        assert_eq!(mask("abc"), "•••");
        assert_eq!(mask("محمد بن علي"), "مح•••••••لي");
    }
}
