//! A GET to the public internet only, for URLs a stranger chose (a mail's remote images):
//! `http` or `https` on their default ports; the host resolved once, here, and every address
//! checked (`public_address`); the connection made to that checked address, so a second DNS
//! answer cannot swap it (DNS rebinding); each redirect checked the same way, by hand; no proxy
//! (one would resolve the name itself, past the check). Resolving and dialling are seams so tests
//! can answer with any address while connecting only to loopback.

use crate::catalog::Diagnosis;
use crate::platform::public_address::{check_public, NotPublic};
use crate::platform::tls;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, USER_AGENT};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::{Host, Position, Url};

/// Redirects followed per GET; one more is refused.
pub const MAX_REDIRECTS: usize = 3;

/// Name resolution. The real one asks the system; tests answer what they like.
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of the host name `host` (never an IP literal; those are not resolved).
    fn lookup(
        &self,
        host: &str,
        port: u16,
    ) -> impl Future<Output = io::Result<Vec<SocketAddr>>> + Send;
}

/// Opening a TCP connection to an address already checked.
pub trait Dial: Send + Sync + 'static {
    fn dial(&self, addr: SocketAddr) -> impl Future<Output = io::Result<TcpStream>> + Send;
}

/// `tokio::net::lookup_host`, the system's resolver.
pub struct SystemResolver;

impl Resolve for SystemResolver {
    async fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

/// A plain TCP connection to exactly the address given.
pub struct TcpDialer;

impl Dial for TcpDialer {
    async fn dial(&self, addr: SocketAddr) -> io::Result<TcpStream> {
        TcpStream::connect(addr).await
    }
}

/// Why a GET was refused or failed; its `Display` is the reason in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotHttp(String),
    NotDefaultPort(u16),
    /// The URL's host is `addr`, or `host` (a name) resolved to it.
    NotPublic {
        host: Option<String>,
        addr: IpAddr,
        why: NotPublic,
    },
    TooManyRedirects,
    BadUrl,
    TooLarge,
    Status(u16),
    TimedOut,
    Unreachable(String),
}

impl Refusal {
    /// The reason without its particulars, the same for every image refused alike.
    pub fn summary(&self) -> &'static str {
        match self {
            Refusal::NotHttp(_) => "not http or https",
            Refusal::NotDefaultPort(_) => "not on the default port",
            Refusal::NotPublic { why, .. } if why.is_local() => "points into your local network",
            Refusal::NotPublic { .. } => "not on the public internet",
            Refusal::TooManyRedirects => "too many redirects",
            Refusal::BadUrl => "not a valid web address",
            Refusal::TooLarge => "too large",
            Refusal::Status(_) | Refusal::TimedOut | Refusal::Unreachable(_) => "unreachable",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotHttp(scheme) => write!(f, "not http or https ({scheme}:)"),
            Refusal::NotDefaultPort(port) => {
                write!(f, "not on the default port (port {port}, not 80 or 443)")
            }
            Refusal::NotPublic { host, addr, why } => {
                let at = match host {
                    Some(h) => format!("{h} is {addr}"),
                    None => addr.to_string(),
                };
                write!(f, "{} ({at}, {why})", self.summary())
            }
            Refusal::TooManyRedirects => {
                write!(f, "too many redirects (more than {MAX_REDIRECTS})")
            }
            Refusal::BadUrl | Refusal::TooLarge => f.write_str(self.summary()),
            Refusal::Status(code) => write!(f, "unreachable: the server answered {code}"),
            Refusal::TimedOut => f.write_str("unreachable: no answer in time"),
            Refusal::Unreachable(why) => write!(f, "unreachable: {why}"),
        }
    }
}

/// A successful answer, its body still to read; the connection lives as long as it does.
pub struct PublicResponse {
    response: hyper::Response<Incoming>,
    _connection: AbortOnDrop,
}

impl PublicResponse {
    /// The media type, lowercase, without parameters.
    pub fn media_type(&self) -> Option<String> {
        let value = self.response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
        let kind = value.split(';').next()?.trim().to_ascii_lowercase();
        Some(kind)
    }

    /// The body, refused as [`Refusal::TooLarge`] once it promises or sends more than `max` bytes.
    pub async fn bytes(self, max: usize) -> Result<Vec<u8>, Refusal> {
        let promised = self
            .response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if promised.is_some_and(|n| n > max as u64) {
            return Err(Refusal::TooLarge);
        }
        let mut body = self.response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Refusal::Unreachable(e.to_string()))?;
            if let Ok(chunk) = frame.into_data() {
                if bytes.len() + chunk.len() > max {
                    return Err(Refusal::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
        }
        Ok(bytes)
    }
}

/// Ends the task driving a connection when its response is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// GETs to the public internet only.
pub struct PublicHttp<R = SystemResolver, D = TcpDialer> {
    resolver: R,
    dialer: D,
    tls: TlsConnector,
}

impl PublicHttp {
    /// The system's resolver, plain TCP, the public roots.
    pub fn system() -> Result<Self, Diagnosis> {
        Self::new(SystemResolver, TcpDialer, None)
    }
}

impl<R: Resolve, D: Dial> PublicHttp<R, D> {
    /// `extra_ca_pem` is for tests; the app trusts the public roots only.
    pub fn new(resolver: R, dialer: D, extra_ca_pem: Option<&str>) -> Result<Self, Diagnosis> {
        let tls = TlsConnector::from(tls::client_config(extra_ca_pem)?);
        Ok(Self {
            resolver,
            dialer,
            tls,
        })
    }

    /// GET `url` with `accept`, following at most [`MAX_REDIRECTS`] redirects, each hop checked.
    /// A status other than 2xx is a refusal.
    pub async fn get(&self, url: &str, accept: &str) -> Result<PublicResponse, Refusal> {
        let mut url = Url::parse(url.trim()).map_err(|_| Refusal::BadUrl)?;
        for _ in 0..=MAX_REDIRECTS {
            let res = self.get_once(&url, accept).await?;
            let status = res.response.status();
            if status.is_success() {
                return Ok(res);
            }
            if !is_redirect(status) {
                return Err(Refusal::Status(status.as_u16()));
            }
            let location = res
                .response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(Refusal::Status(status.as_u16()))?;
            url = url.join(location).map_err(|_| Refusal::BadUrl)?;
        }
        Err(Refusal::TooManyRedirects)
    }

    /// One request, no redirect followed.
    async fn get_once(&self, url: &Url, accept: &str) -> Result<PublicResponse, Refusal> {
        let (host, addrs) = self.checked_addresses(url).await?;
        let stream = self.dial_first(&addrs).await?;
        let path = &url[Position::BeforePath..Position::AfterQuery];
        let request = hyper::Request::get(if path.is_empty() { "/" } else { path })
            .header(HOST, url.host_str().unwrap_or_default())
            .header(
                USER_AGENT,
                concat!("m365-onboard/", env!("CARGO_PKG_VERSION")),
            )
            .header(ACCEPT, accept)
            .body(Empty::<Bytes>::new())
            .map_err(|_| Refusal::BadUrl)?;
        if url.scheme() == "http" {
            return exchange(stream, request).await;
        }
        // SNI and the certificate's name: the URL's host, not the address dialled.
        let name = match host {
            Host::Domain(d) => ServerName::try_from(d).map_err(|_| Refusal::BadUrl)?,
            Host::Ipv4(ip) => ServerName::from(IpAddr::V4(ip)),
            Host::Ipv6(ip) => ServerName::from(IpAddr::V6(ip)),
        };
        let tls = self
            .tls
            .connect(name, stream)
            .await
            .map_err(|e| Refusal::Unreachable(format!("TLS: {e}")))?;
        exchange(tls, request).await
    }

    /// The URL's host and its addresses, each on the public internet, with the URL's port.
    async fn checked_addresses(
        &self,
        url: &Url,
    ) -> Result<(Host<String>, Vec<SocketAddr>), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::NotHttp(url.scheme().to_owned()));
        }
        // WHATWG parsing turns 2130706433, 0177.0.0.1 and 0x7f.1 into an IPv4 host.
        let host = url.host().ok_or(Refusal::BadUrl)?.to_owned();
        let literal = match &host {
            Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
            Host::Domain(_) => None,
        };
        // A literal address is judged before the port: "this computer" says more than "port 8080".
        if let Some(ip) = literal {
            check_public(ip).map_err(|why| Refusal::NotPublic {
                host: None,
                addr: ip,
                why,
            })?;
        }
        // `url` leaves out a port that is the scheme's default, so any port left is another.
        if let Some(port) = url.port() {
            return Err(Refusal::NotDefaultPort(port));
        }
        let port = url.port_or_known_default().ok_or(Refusal::BadUrl)?;
        let addrs = match literal {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => {
                let d = url.host_str().unwrap_or_default();
                let found = self
                    .resolver
                    .lookup(d, port)
                    .await
                    .map_err(|e| Refusal::Unreachable(format!("{d}: {e}")))?;
                if found.is_empty() {
                    return Err(Refusal::Unreachable("the name has no address".into()));
                }
                // Every answer must be public: one private one could be the one dialled.
                for a in &found {
                    check_public(a.ip()).map_err(|why| Refusal::NotPublic {
                        host: Some(d.to_owned()),
                        addr: a.ip(),
                        why,
                    })?;
                }
                found
            }
        };
        let addrs = addrs
            .into_iter()
            .map(|a| SocketAddr::new(a.ip(), port))
            .collect();
        Ok((host, addrs))
    }

    /// A connection to the first of `addrs` that answers.
    async fn dial_first(&self, addrs: &[SocketAddr]) -> Result<TcpStream, Refusal> {
        let mut last = String::from("no address");
        for &addr in addrs {
            match self.dialer.dial(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        Err(Refusal::Unreachable(last))
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// Sends `request` over `io` as HTTP/1.1 and reads the answer's head.
async fn exchange<T>(
    io: T,
    request: hyper::Request<Empty<Bytes>>,
) -> Result<PublicResponse, Refusal>
where
    T: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let failed = |e: hyper::Error| Refusal::Unreachable(e.to_string());
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(failed)?;
    let driver = AbortOnDrop(tokio::spawn(async move {
        let _ = connection.await;
    }));
    let response = sender.send_request(request).await.map_err(failed)?;
    Ok(PublicResponse {
        response,
        _connection: driver,
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A resolver that answers what the test says and a dialler that records each address it is
    //! asked for and connects to a loopback test server instead: tests never reach beyond
    //! 127.0.0.1 whatever the code under test tries.

    use super::*;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Answers per host name, one list per lookup (the last repeats); counts the lookups.
    #[derive(Clone, Default)]
    pub struct FakeResolver {
        answers: Arc<Mutex<HashMap<String, Vec<Vec<IpAddr>>>>>,
        pub lookups: Arc<Mutex<Vec<String>>>,
    }

    impl FakeResolver {
        pub fn answer(self, host: &str, addrs: &[&str]) -> Self {
            self.answers_in_turn(host, &[addrs])
        }

        /// The first lookup of `host` gets `turns[0]`, the second `turns[1]`, and so on.
        pub fn answers_in_turn(self, host: &str, turns: &[&[&str]]) -> Self {
            let turns = turns
                .iter()
                .map(|t| t.iter().map(|a| a.parse().unwrap()).collect())
                .collect();
            self.answers.lock().unwrap().insert(host.to_owned(), turns);
            self
        }
    }

    impl Resolve for FakeResolver {
        async fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
            let n = {
                let mut lookups = self.lookups.lock().unwrap();
                lookups.push(host.to_owned());
                lookups.iter().filter(|h| *h == host).count()
            };
            let answers = self.answers.lock().unwrap();
            let turns = answers
                .get(host)
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"))?;
            let turn = turns
                .get(n - 1)
                .or(turns.last())
                .cloned()
                .unwrap_or_default();
            Ok(turn
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect())
        }
    }

    /// Records every address it is asked to dial and connects to `server` instead.
    #[derive(Clone)]
    pub struct RecordingDialer {
        pub server: SocketAddr,
        pub dialled: Arc<Mutex<Vec<SocketAddr>>>,
    }

    impl RecordingDialer {
        pub fn to(server: SocketAddr) -> Self {
            assert!(server.ip().is_loopback(), "tests dial loopback only");
            Self {
                server,
                dialled: Arc::default(),
            }
        }

        pub fn dialled(&self) -> Vec<SocketAddr> {
            self.dialled.lock().unwrap().clone()
        }
    }

    impl Dial for RecordingDialer {
        async fn dial(&self, addr: SocketAddr) -> io::Result<TcpStream> {
            self.dialled.lock().unwrap().push(addr);
            TcpStream::connect(self.server).await
        }
    }

    /// One answer of the test server: status, headers, body.
    #[derive(Clone)]
    pub struct Reply {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
    }

    impl Reply {
        pub fn ok(content_type: &str, body: &[u8]) -> Self {
            Self {
                status: 200,
                headers: vec![("Content-Type".into(), content_type.into())],
                body: body.to_vec(),
            }
        }

        pub fn redirect(to: &str) -> Self {
            Self {
                status: 302,
                headers: vec![("Location".into(), to.into())],
                body: Vec::new(),
            }
        }
    }

    /// An HTTP/1.1 server on 127.0.0.1 answering `Host` + path from `routes` (404 otherwise); it
    /// records each request as `host path`.
    pub async fn server(
        routes: Vec<(&'static str, Reply)>,
    ) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let routes: HashMap<&str, Reply> = routes.into_iter().collect();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                // Stop at the end of the head, or at once for a TLS hello (this server is plain).
                while !head.windows(4).any(|w| w == b"\r\n\r\n")
                    && head.first().is_none_or(u8::is_ascii_uppercase)
                {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or_default().to_owned();
                let host = head
                    .lines()
                    .find_map(|l| l.strip_prefix("host: ").or(l.strip_prefix("Host: ")))
                    .unwrap_or_default()
                    .to_owned();
                let key = format!("{host}{path}");
                log.lock().unwrap().push(key.clone());
                let reply = routes.get(key.as_str()).cloned().unwrap_or(Reply {
                    status: 404,
                    headers: Vec::new(),
                    body: Vec::new(),
                });
                let mut out = format!("HTTP/1.1 {} X\r\n", reply.status);
                for (k, v) in &reply.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str(&format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    reply.body.len()
                ));
                let _ = s.write_all(out.as_bytes()).await;
                let _ = s.write_all(&reply.body).await;
            }
        });
        (addr, seen)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    /// A public address the fake resolver gives; the dialler never really goes there.
    const PUBLIC: &str = "93.184.215.14";
    const PUBLIC6: &str = "2606:2800:21f:cb07:6820:80da:af6b:8b2c";

    async fn fixture(
        routes: Vec<(&'static str, Reply)>,
        resolver: FakeResolver,
    ) -> (PublicHttp<FakeResolver, RecordingDialer>, RecordingDialer) {
        let (addr, _) = server(routes).await;
        let dialer = RecordingDialer::to(addr);
        let http = PublicHttp::new(resolver, dialer.clone(), None).unwrap();
        (http, dialer)
    }

    async fn refusal(http: &PublicHttp<FakeResolver, RecordingDialer>, url: &str) -> Refusal {
        match http.get(url, "image/*").await {
            Ok(_) => panic!("{url} was fetched"),
            Err(r) => r,
        }
    }

    #[tokio::test]
    async fn a_public_name_is_dialled_at_the_address_it_resolved_to() {
        let resolver = FakeResolver::default().answer("img.example", &[PUBLIC]);
        let routes = vec![("img.example/a.png?x=1", Reply::ok("image/png", b"PNG"))];
        let (http, dialer) = fixture(routes, resolver).await;
        let res = http
            .get("http://img.example/a.png?x=1#frag", "image/*")
            .await
            .unwrap();
        assert_eq!(res.media_type().as_deref(), Some("image/png"));
        assert_eq!(res.bytes(1024).await.unwrap(), b"PNG");
        assert_eq!(
            dialer.dialled(),
            vec![format!("{PUBLIC}:80").parse().unwrap()]
        );
    }

    #[tokio::test]
    async fn names_resolving_to_any_non_public_address_are_refused_before_dialling() {
        let private = [
            ("lo.example", "127.0.0.1", NotPublic::ThisComputer),
            ("lan.example", "10.0.0.5", NotPublic::Private),
            ("router.example", "192.168.1.1", NotPublic::Private),
            ("meta.example", "169.254.169.254", NotPublic::LinkLocal),
            ("cgnat.example", "100.64.0.1", NotPublic::SharedNat),
            ("zero.example", "0.0.0.0", NotPublic::Unspecified),
            ("lo6.example", "::1", NotPublic::ThisComputer),
            ("ula.example", "fd00::1", NotPublic::Private),
            ("ll6.example", "fe80::1", NotPublic::LinkLocal),
            ("mapped.example", "::ffff:192.168.0.1", NotPublic::Private),
            ("nat64.example", "64:ff9b::7f00:1", NotPublic::ThisComputer),
            ("doc.example", "2001:db8::1", NotPublic::Reserved),
        ];
        let mut resolver = FakeResolver::default();
        for (host, addr, _) in private {
            resolver = resolver.answer(host, &[addr]);
        }
        // One private answer among public ones is enough to refuse.
        resolver = resolver.answer("mixed.example", &[PUBLIC, PUBLIC6, "10.1.2.3"]);
        let (http, dialer) = fixture(Vec::new(), resolver).await;
        for (host, addr, why) in private {
            let r = refusal(&http, &format!("https://{host}/x.png")).await;
            let want = Refusal::NotPublic {
                host: Some(host.to_owned()),
                addr: addr.parse().unwrap(),
                why,
            };
            assert_eq!(r, want, "{host}");
        }
        let r = refusal(&http, "http://mixed.example/x.png").await;
        assert_eq!(r.summary(), "points into your local network");
        assert!(r.to_string().contains("10.1.2.3"), "{r}");
        assert_eq!(dialer.dialled(), Vec::<SocketAddr>::new());
    }

    #[tokio::test]
    async fn literal_addresses_in_any_notation_are_refused_without_a_lookup() {
        let resolver = FakeResolver::default();
        let (http, dialer) = fixture(Vec::new(), resolver.clone()).await;
        let table = [
            ("http://127.0.0.1/", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("https://017700000001/x.png", "127.0.0.1"),
            ("http://0/", "0.0.0.0"),
            ("http://10.0.0.5/", "10.0.0.5"),
            (
                "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/",
                "169.254.169.254",
            ),
            ("http://2852039166/", "169.254.169.254"),
            ("http://[::1]/", "::1"),
            ("http://[0:0:0:0:0:0:0:1]/", "::1"),
            ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
            ("http://[::ffff:7f00:1]/", "::ffff:127.0.0.1"),
            ("http://[::ffff:a9fe:a9fe]/", "::ffff:169.254.169.254"),
            ("https://[fe80::1]/", "fe80::1"),
            ("https://[fd00::1]/", "fd00::1"),
            ("http://[64:ff9b::a00:5]/", "64:ff9b::a00:5"),
            ("http://[2002:c0a8:101::1]/", "2002:c0a8:101::1"),
            ("//127.0.0.1/x.png", "unparsed"),
        ];
        for (url, addr) in table {
            let r = refusal(&http, url).await;
            if addr == "unparsed" {
                assert_eq!(r, Refusal::BadUrl, "{url}");
                continue;
            }
            match &r {
                Refusal::NotPublic {
                    host: None,
                    addr: a,
                    ..
                } => {
                    assert_eq!(*a, addr.parse::<IpAddr>().unwrap(), "{url}")
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(resolver.lookups.lock().unwrap().is_empty());
        assert_eq!(dialer.dialled(), Vec::<SocketAddr>::new());
    }

    #[tokio::test]
    async fn only_http_and_https_on_their_default_ports() {
        let resolver = FakeResolver::default().answer("img.example", &[PUBLIC]);
        let routes = vec![("img.example/ok.png", Reply::ok("image/png", b"PNG"))];
        let (http, dialer) = fixture(routes, resolver).await;
        for (url, want) in [
            (
                "http://img.example:8080/a.png",
                Refusal::NotDefaultPort(8080),
            ),
            ("http://img.example:443/a.png", Refusal::NotDefaultPort(443)),
            ("https://img.example:80/a.png", Refusal::NotDefaultPort(80)),
            ("http://img.example:22/", Refusal::NotDefaultPort(22)),
            ("ftp://img.example/a.png", Refusal::NotHttp("ftp".into())),
            ("file:///etc/passwd", Refusal::NotHttp("file".into())),
            ("gopher://img.example/", Refusal::NotHttp("gopher".into())),
            ("ws://img.example/", Refusal::NotHttp("ws".into())),
        ] {
            assert_eq!(refusal(&http, url).await, want, "{url}");
        }
        assert_eq!(dialer.dialled(), Vec::<SocketAddr>::new());
        // An explicit default port is the default port.
        let res = http.get("http://img.example:80/ok.png", "image/*").await;
        assert!(res.is_ok());
        assert_eq!(dialer.dialled().len(), 1);
    }

    #[tokio::test]
    async fn a_name_is_resolved_once_so_a_rebinding_answer_is_never_dialled() {
        // A rebinding DNS server: public for the first lookup, loopback for any after it.
        let resolver = FakeResolver::default().answers_in_turn(
            "rebind.example",
            &[&[PUBLIC], &["127.0.0.1"], &["127.0.0.1"]],
        );
        let routes = vec![("rebind.example/a.png", Reply::ok("image/png", b"PNG"))];
        let (http, dialer) = fixture(routes, resolver.clone()).await;
        let res = http.get("http://rebind.example/a.png", "image/*").await;
        assert_eq!(res.unwrap().bytes(100).await.unwrap(), b"PNG");
        assert_eq!(*resolver.lookups.lock().unwrap(), vec!["rebind.example"]);
        assert_eq!(
            dialer.dialled(),
            vec![format!("{PUBLIC}:80").parse().unwrap()]
        );
        // The next GET resolves again and meets the loopback answer: refused, not dialled.
        let r = refusal(&http, "http://rebind.example/a.png").await;
        assert_eq!(r.summary(), "points into your local network");
        assert_eq!(dialer.dialled().len(), 1);
    }

    #[tokio::test]
    async fn each_redirect_is_checked_like_the_first_url() {
        let resolver = FakeResolver::default()
            .answer("img.example", &[PUBLIC])
            .answer("cdn.example", &[PUBLIC6])
            .answer("intranet.example", &["192.168.10.20"]);
        let routes = vec![
            (
                "img.example/to-cdn",
                Reply::redirect("https://cdn.example/x.png"),
            ),
            ("img.example/relative", Reply::redirect("/final.png")),
            ("img.example/final.png", Reply::ok("image/gif", b"GIF89a")),
            (
                "img.example/to-loopback",
                Reply::redirect("http://127.0.0.1/x.png"),
            ),
            (
                "img.example/to-decimal",
                Reply::redirect("http://2130706433/"),
            ),
            (
                "img.example/to-mapped",
                Reply::redirect("http://[::ffff:10.0.0.5]/"),
            ),
            (
                "img.example/to-intranet",
                Reply::redirect("http://intranet.example/"),
            ),
            (
                "img.example/to-port",
                Reply::redirect("http://img.example:8080/"),
            ),
            ("img.example/to-file", Reply::redirect("file:///etc/passwd")),
        ];
        let (http, dialer) = fixture(routes, resolver).await;

        let res = http.get("http://img.example/relative", "image/*").await;
        assert_eq!(res.unwrap().bytes(100).await.unwrap(), b"GIF89a");
        assert_eq!(dialer.dialled().len(), 2);

        for (path, summary, shows) in [
            ("to-loopback", "points into your local network", "127.0.0.1"),
            ("to-decimal", "points into your local network", "127.0.0.1"),
            (
                "to-mapped",
                "points into your local network",
                "::ffff:10.0.0.5",
            ),
            (
                "to-intranet",
                "points into your local network",
                "intranet.example is 192.168.10.20",
            ),
            ("to-port", "not on the default port", "8080"),
            ("to-file", "not http or https", "file:"),
        ] {
            let before = dialer.dialled().len();
            let r = refusal(&http, &format!("http://img.example/{path}")).await;
            assert_eq!(r.summary(), summary, "{path}: {r}");
            assert!(r.to_string().contains(shows), "{path}: {r}");
            assert_eq!(
                dialer.dialled().len(),
                before + 1,
                "{path}: only the first hop dialled"
            );
        }
        // The https hop is dialled at the checked address (its TLS fails against the plain server).
        let r = refusal(&http, "http://img.example/to-cdn").await;
        assert!(matches!(r, Refusal::Unreachable(_)), "{r:?}");
        assert_eq!(
            dialer.dialled().last().copied(),
            Some(format!("[{PUBLIC6}]:443").parse().unwrap())
        );
    }

    #[tokio::test]
    async fn three_redirects_are_followed_and_a_fourth_is_refused() {
        let resolver = FakeResolver::default().answer("img.example", &[PUBLIC]);
        let routes = vec![
            ("img.example/4", Reply::redirect("/3")),
            ("img.example/3", Reply::redirect("/2")),
            ("img.example/2", Reply::redirect("/1")),
            ("img.example/1", Reply::redirect("/0")),
            ("img.example/0", Reply::ok("image/png", b"PNG")),
        ];
        let (http, dialer) = fixture(routes, resolver).await;
        assert!(http.get("http://img.example/3", "image/*").await.is_ok());
        assert_eq!(dialer.dialled().len(), 4);
        assert_eq!(
            refusal(&http, "http://img.example/4").await,
            Refusal::TooManyRedirects
        );
        assert_eq!(
            dialer.dialled().len(),
            4 + 4,
            "the fifth URL is not dialled"
        );
    }

    #[tokio::test]
    async fn https_goes_to_the_checked_address_with_the_urls_name_for_sni_and_certificate() {
        use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
        use std::sync::{Arc, Mutex};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let cert = rcgen::generate_simple_self_signed(vec!["secure.example".to_owned()]).unwrap();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let sni = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&sni);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                let name = tls.get_ref().1.server_name().map(str::to_owned);
                seen.lock().unwrap().push(name);
                let _ = tls.read(&mut [0u8; 2048]).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 3\r\nConnection: close\r\n\r\nPNG")
                    .await;
                let _ = tls.shutdown().await;
            }
        });
        let resolver = FakeResolver::default()
            .answer("secure.example", &[PUBLIC])
            .answer("other.example", &[PUBLIC]);
        let dialer = RecordingDialer::to(server);
        let http = PublicHttp::new(resolver, dialer.clone(), Some(&cert.cert.pem())).unwrap();

        let res = http.get("https://secure.example/a.png", "image/*").await;
        assert_eq!(res.unwrap().bytes(100).await.unwrap(), b"PNG");
        assert_eq!(
            dialer.dialled(),
            vec![format!("{PUBLIC}:443").parse().unwrap()]
        );
        assert_eq!(
            *sni.lock().unwrap(),
            vec![Some("secure.example".to_owned())]
        );
        // The certificate is checked against the URL's name, not the address dialled.
        let r = refusal(&http, "https://other.example/a.png").await;
        assert!(r.to_string().contains("TLS"), "{r}");
    }

    #[tokio::test]
    async fn errors_and_large_bodies_are_refused() {
        let resolver = FakeResolver::default().answer("img.example", &[PUBLIC]);
        let routes = vec![("img.example/big", Reply::ok("image/png", &[0u8; 2048]))];
        let (http, _) = fixture(routes, resolver).await;
        let big = http.get("http://img.example/big", "image/*").await.unwrap();
        assert_eq!(big.bytes(1024).await, Err(Refusal::TooLarge));
        assert_eq!(
            refusal(&http, "http://img.example/gone").await,
            Refusal::Status(404)
        );
        let r = refusal(&http, "http://nowhere.example/").await;
        assert_eq!(r.summary(), "unreachable");
    }
}
