"""The parse bench's Python peer: the standard library's `email` package (policy.default). Each
message gives what the preview shows: the address headers, date, subject, message id, the decoded
text and HTML bodies and the attachments' names, types and sizes. No HTML sanitizing.
Usage: python3 parse.py SECONDS FILE...; prints MB/s (10^6 bytes) of whole passes over the
files, repeated until SECONDS have passed."""
import sys
import time
from email import message_from_bytes, policy

seconds = float(sys.argv[1])
raws = [open(f, "rb").read() for f in sys.argv[2:]]
size = 0
started = time.monotonic()
elapsed = 0.0
while elapsed < seconds:
    for raw in raws:
        m = message_from_bytes(raw, policy=policy.default)
        for h in ("from", "to", "cc", "date", "subject", "message-id"):
            str(m.get(h, ""))
        for kind in ("plain", "html"):
            body = m.get_body(preferencelist=(kind,))
            if body is not None:
                body.get_content()
        for a in m.iter_attachments():
            a.get_filename(), a.get_content_type(), len(a.get_payload(decode=True) or b"")
        size += len(raw)
    elapsed = time.monotonic() - started
print(size / elapsed / 1e6)
