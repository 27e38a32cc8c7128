//! Recognises media links so no adapter can let one through by accident: presigned object-store
//! URLs (S3, GCS, Azure SAS, CloudFront) and any http(s) link to an image, video or document file.

const SIGNATURE_MARKERS: [&str; 6] = [
    "x-amz-signature=",
    "x-amz-credential=",
    "x-goog-signature=",
    "sig=",
    "signature=",
    "key-pair-id=",
];

const MEDIA_EXTENSIONS: [&str; 14] = [
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".tif", ".tiff", ".webm", ".mp4",
    ".mov", ".pdf", ".svg",
];

/// True when `value` is an http(s) URL that is signed or points at a media file.
pub fn is_media_link(value: &str) -> bool {
    let trimmed = value.trim();
    let lower = trimmed.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return false;
    }
    let (path, query) = match lower.split_once('?') {
        Some((path, query)) => (path, query),
        None => (lower.as_str(), ""),
    };
    let signed = query
        .split('&')
        .any(|pair| SIGNATURE_MARKERS.iter().any(|m| pair.starts_with(m)));
    signed || MEDIA_EXTENSIONS.iter().any(|ext| path.ends_with(ext))
}

/// The parameters of a presigned object-store link that are a secret even without the link's
/// scheme and host (a query string cut loose from its URL).
const SIGNED_QUERY_MARKERS: [&str; 4] = [
    "x-amz-signature=",
    "x-amz-credential=",
    "x-goog-signature=",
    "x-goog-credential=",
];

/// True when `value` contains a media link anywhere (for example inside a comment), or the
/// signed query of one without its scheme and host.
pub fn contains_media_link(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    SIGNED_QUERY_MARKERS.iter().any(|m| lower.contains(m))
        || value
            .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '<' || c == '>')
            .any(is_media_link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_s3_links_are_media() {
        assert!(is_media_link(
            "https://bucket.s3.amazonaws.com/ocr/p.jpg?X-Amz-Expires=3600&X-Amz-Signature=aa"
        ));
        assert!(is_media_link(
            "https://b.s3.eu-west-1.amazonaws.com/x?X-Amz-Algorithm=AWS4&X-Amz-Credential=k%2F1"
        ));
    }

    #[test]
    fn plain_media_files_are_media_and_pages_are_not() {
        assert!(is_media_link("https://cdn.example.com/face/ref.WEBM"));
        assert!(!is_media_link("https://app.example.com/kyc/done"));
        assert!(!is_media_link("not a url .jpg"));
    }

    #[test]
    fn links_inside_text_are_found() {
        assert!(contains_media_link(
            "see <https://x.s3.amazonaws.com/a?X-Amz-Signature=1> please"
        ));
        assert!(!contains_media_link("Document photo was blurred"));
    }

    #[test]
    fn a_signed_query_without_its_host_is_still_withheld() {
        // Found by the decision_parser fuzz target: a signed query spliced into a status.
        assert!(contains_media_link(
            "Approz-Credential=AKIAE526%2F20261122&X-Amz-Date=20261122T000000Z&X-Amz-Signature=6dc3"
        ));
        assert!(contains_media_link("x-goog-credential=svc%40p.iam"));
        assert!(!contains_media_link("Approved"));
        assert!(!contains_media_link("signature on file"));
    }
}
