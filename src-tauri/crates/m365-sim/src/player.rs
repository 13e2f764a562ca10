//! Plays the person at the browser against the simulator: follows a sign-in or consent URL
//! through the sign-in and consent pages and delivers the final redirect to the app (its
//! loopback listener). Tests and the end-to-end runs use it in place of a system browser.

use std::time::Duration;

/// What the person does on the pages.
pub struct Person {
    pub user: String,
    pub password: String,
    /// `accept` or `decline` on the consent page.
    pub decision: String,
}

/// Follows `url` to its end and returns the last URL reached (the app's redirect URI with its
/// query). Only loopback hosts are visited: the simulator's certificate is trusted blindly.
pub async fn play(url: &str, person: &Person) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| e.to_string())?;
    let mut next = url.to_owned();
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..10 {
        let parsed = url::Url::parse(&next).map_err(|e| format!("{next}: {e}"))?;
        if !matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")) {
            return Err(format!("refusing to visit a non-loopback URL: {next}"));
        }
        let req = match form.take() {
            Some(fields) => client.post(parsed.clone()).form(&fields),
            None => client.get(parsed.clone()),
        };
        let res = req.send().await.map_err(|e| format!("{next}: {e}"))?;
        if let Some(location) = res.headers().get("location") {
            let location = location.to_str().map_err(|e| e.to_string())?;
            next = parsed
                .join(location)
                .map_err(|e| e.to_string())?
                .to_string();
            continue;
        }
        let status = res.status();
        let page = res.text().await.map_err(|e| e.to_string())?;
        if !page.contains("<form") {
            // Not a page of the simulator's: the app's own answer (or an error page) ends the play.
            return if status.is_success() {
                Ok(next)
            } else {
                Err(format!("HTTP {status} at {next}: {}", text_of(&page)))
            };
        }
        if let Some(alert) = between(&page, "role=\"alert\">", "<") {
            return Err(alert.to_owned());
        }
        let action = between(&page, "action=\"", "\"").unwrap_or_default();
        let mut fields = hidden_fields(&page);
        if page.contains("name=\"username\"") {
            fields.push(("username".into(), person.user.clone()));
            fields.push(("password".into(), person.password.clone()));
        } else if page.contains("name=\"decision\"") {
            fields.push(("decision".into(), person.decision.clone()));
        }
        next = parsed
            .join(&unescape(action))
            .map_err(|e| e.to_string())?
            .to_string();
        form = Some(fields);
    }
    Err("too many pages".into())
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

fn hidden_fields(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|tag| {
            let name = between(tag, "name=\"", "\"")?;
            let value = between(tag, "value=\"", "\"")?;
            Some((name.to_owned(), unescape(value)))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn text_of(page: &str) -> String {
    page.chars().take(300).collect()
}
