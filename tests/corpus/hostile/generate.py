#!/usr/bin/env python3
"""Writes the hostile mail corpus beside this script (the files are committed; run it again only
to change them). Every active or loading construct aims at a loopback canary, 127.0.0.1:47613,
which the end-to-end test listens on: any request that reaches it is a failure. The scripts try
to leave a mark the test looks for (`data-pwned`, the window's title)."""
from pathlib import Path

HERE = Path(__file__).parent
CANARY = "http://127.0.0.1:47613"
MARK = "document.title='PWNED';document.documentElement.setAttribute('data-pwned','1');try{top.document.title='PWNED'}catch(e){}"


def message(subject: str, date: str, content_type: str, body: str, extra: str = "") -> bytes:
    head = (
        "From: Hostile Sender <attacker@hostile.example>\r\n"
        "To: support@contoso.test\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {date}\r\n"
        f"Message-ID: <{subject.split()[0].lower()}-{date[5:16].replace(' ', '')}@hostile.example>\r\n"
        "MIME-Version: 1.0\r\n"
        f"{extra}"
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return (head + body.replace("\n", "\r\n")).encode()


ACTIVE = f"""<html><head>
<meta http-equiv="refresh" content="0; url={CANARY}/refresh">
<base href="{CANARY}/base/">
<link rel="stylesheet" href="{CANARY}/link.css">
<link rel="prefetch" href="{CANARY}/prefetch">
<style>@import url({CANARY}/import.css); body {{ background: url({CANARY}/style-bg) }}
@font-face {{ font-family: x; src: url({CANARY}/font.woff) }}</style>
<script>{MARK};fetch('{CANARY}/script')</script>
<script src="{CANARY}/external.js"></script>
</head>
<body onload="{MARK};fetch('{CANARY}/onload')" background="{CANARY}/body-background">
<h1>Active content</h1>
<p>Every script, handler, form, frame and loading style in this message aims at the canary.</p>
<img src="x" onerror="{MARK};fetch('{CANARY}/onerror')" alt="broken on purpose">
<img src="{CANARY}/remote.png" srcset="{CANARY}/srcset.png 2x" alt="remote">
<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iZmV0Y2goJ2h0dHA6Ly8xMjcuMC4wLjE6NDc2MTMvc3ZnLWRhdGEnKSIvPg==" alt="svg data">
<svg onload="{MARK};fetch('{CANARY}/svg')"><image href="{CANARY}/svg-image.png"/><script>{MARK}</script></svg>
<math><mtext><table><mglyph><style><img src="{CANARY}/mxss" onerror="{MARK}"></style></mglyph></table></mtext></math>
<a href="javascript:{MARK}">a scripted link</a>
<a href="JaVaScRiPt&#58;fetch('{CANARY}/entity')">an entity-encoded scripted link</a>
<a href="{CANARY}/link" ping="{CANARY}/ping">a plain link (a click would try a blocked pop-up)</a>
<form action="{CANARY}/form" method="post"><input name="q" value="x" autofocus onfocus="{MARK}"><button formaction="{CANARY}/formaction">Send</button></form>
<iframe src="{CANARY}/iframe"></iframe>
<iframe srcdoc="&lt;script&gt;{MARK}&lt;/script&gt;"></iframe>
<object data="{CANARY}/object"></object><embed src="{CANARY}/embed">
<video poster="{CANARY}/poster.png" src="{CANARY}/video.mp4" autoplay></video>
<audio src="{CANARY}/audio.mp3" autoplay></audio>
<input type="image" src="{CANARY}/input-image.png">
<table background="{CANARY}/table-background"><tr><td background="{CANARY}/td-background">cell</td></tr></table>
<div style="background-image: url('{CANARY}/inline-style')">inline style</div>
<div style="width: expression(fetch('{CANARY}/expression'))">IE expression</div>
<div style="background: url(&quot;{CANARY}/quoted&quot;)">entity-quoted style</div>
<details open ontoggle="{MARK}"><summary>details</summary></details>
<marquee onstart="{MARK}">marquee</marquee>
<p>End of the active content.</p>
</body></html>
"""


def active_content() -> bytes:
    body = f"""--hostile-alt
Content-Type: text/plain; charset=utf-8

Active content: scripts, handlers, forms, frames and loading styles, all aimed at a canary.

--hostile-alt
Content-Type: text/html; charset=utf-8

{ACTIVE}
--hostile-alt--
"""
    return message(
        "Active content (scripts, handlers, forms, frames)",
        "Sun, 22 Nov 2026 08:00:00 +0000",
        'multipart/alternative; boundary="hostile-alt"',
        body,
    )


def nested_mime(depth: int) -> bytes:
    """`depth` multiparts inside each other; the innermost holds a script and a remote image."""
    opening = "".join(
        f'--n{i}\nContent-Type: multipart/mixed; boundary="n{i + 1}"\n\n' for i in range(depth)
    )
    inner = (
        f"--n{depth}\nContent-Type: text/html; charset=utf-8\n\n"
        f"<p>The innermost part, {depth} levels down.</p><script>{MARK}</script>"
        f'<img src="{CANARY}/nested.png">\n'
        f"--n{depth}--\n"
    )
    closing = "".join(f"--n{i}--\n" for i in reversed(range(depth)))
    return message(
        f"Nested MIME ({depth} levels)",
        "Sun, 22 Nov 2026 08:10:00 +0000",
        'multipart/mixed; boundary="n0"',
        opening + inner + closing,
    )


def oversized(rows: int = 20_000, divs: int = 400) -> bytes:
    """A large HTML body (a long table and deeply nested elements) and a large attachment, with
    3,000 header lines."""
    table = "".join(
        f'<tr><td style="color:#333">{i}</td><td onclick="{MARK}">row {i} of a very long table</td></tr>\n'
        for i in range(rows)
    )
    html = (
        "<html><body><p>An oversized message.</p><table>\n" + table + "</table>"
        + "<div>" * divs + f"<p>{divs} elements deep</p><script>{MARK}</script>" + "</div>" * divs
        + "</body></html>\n"
    )
    attachment = "\n".join(["QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx"] * 30_000)
    body = f"""--big
Content-Type: text/html; charset=utf-8

{html}
--big
Content-Type: application/octet-stream; name="large.bin"
Content-Disposition: attachment; filename="large.bin"
Content-Transfer-Encoding: base64

{attachment}
--big--
"""
    headers = "".join(
        f"Received: from relay{i}.hostile.example by relay{i + 1}.hostile.example; Sun, 22 Nov 2026 08:20:00 +0000\r\n"
        for i in range(3_000)
    )
    return message(
        "Oversized (3,000 headers, a long table, 400 nested elements, a 2 MB attachment)",
        "Sun, 22 Nov 2026 08:20:00 +0000",
        'multipart/mixed; boundary="big"',
        body,
        extra=headers,
    )


def dom_bomb(divs: int = 100_000) -> bytes:
    """HTML nested `divs` deep: the HTML parser's time grows with the square of the depth."""
    html = "<div>" * divs + f"<p>{divs} elements deep</p><script>{MARK}</script>" + "</div>" * divs
    return message(
        f"DOM bomb ({divs} nested elements)",
        "Sun, 22 Nov 2026 08:30:00 +0000",
        "text/html; charset=utf-8",
        html + "\n",
    )


if __name__ == "__main__":
    for name, data in [
        ("hostile-active-content.eml", active_content()),
        # 60 levels are parsed (the preview's limit is 64); 500 are shown as raw text.
        ("hostile-nested-mime.eml", nested_mime(60)),
        ("hostile-nested-too-deep.eml", nested_mime(500)),
        ("hostile-oversized.eml", oversized()),
        ("hostile-dom-bomb.eml", dom_bomb()),
    ]:
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
