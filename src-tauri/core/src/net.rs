//! The web addresses Leadline sends to: which are on this computer (plain http is allowed
//! only there: a key or a lead sent over it elsewhere could be read on the way), and the
//! redirect rule every request follows: within its own origin only, so a provider's key
//! header or a webhook's signed lead never goes to another server, nor from https to http.

use reqwest::Url;

/// How many redirects within one origin a request follows.
const MAX_REDIRECTS: usize = 5;

/// Whether `url` points at this computer (localhost, 127.0.0.0/8, ::1).
pub fn on_this_computer(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Why an address can't be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not an http(s) address with a host.
    NotWeb,
    /// Plain http to another computer.
    Insecure,
}

/// `text` as an address Leadline may send to: https, or http to this computer.
pub fn acceptable(text: &str) -> Result<Url, Refused> {
    if text.chars().any(char::is_whitespace) {
        return Err(Refused::NotWeb);
    }
    let url = Url::parse(text).map_err(|_| Refused::NotWeb)?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refused::NotWeb);
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if on_this_computer(&url) => Ok(url),
        "http" => Err(Refused::Insecure),
        _ => Err(Refused::NotWeb),
    }
}

/// Whether two addresses are one origin (scheme, host and port).
pub fn same_origin(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

/// Redirects are followed within the first request's origin only; one elsewhere comes
/// back as the redirect response itself.
pub fn redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_computer() {
        for ok in [
            "https://api.openai.com/v1",
            "http://127.0.0.1:11434",
            "http://localhost:8080/v1",
            "http://[::1]:9000",
            "http://127.5.0.1",
        ] {
            assert!(acceptable(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("http://api.example.com/v1", Refused::Insecure),
            ("http://10.0.0.2:8080", Refused::Insecure),
            ("http://localhost.example.com", Refused::Insecure),
            ("ftp://x.example.com", Refused::NotWeb),
            ("https://a b", Refused::NotWeb),
            ("api.openai.com", Refused::NotWeb),
        ] {
            assert_eq!(acceptable(bad).err(), Some(why), "{bad}");
        }
    }

    #[test]
    fn an_origin_is_scheme_host_and_port() {
        assert!(same_origin(
            "https://a.example/v1",
            "https://a.example/v2/x"
        ));
        assert!(!same_origin("https://a.example", "http://a.example"));
        assert!(!same_origin("http://127.0.0.1:1", "http://127.0.0.1:2"));
        assert!(!same_origin("https://a.example", "https://b.example"));
    }
}
