"""Microsoft's own client library against the simulator: MSAL Python discovers the tenant over
HTTPS (trusting the simulator's CA only through `verify`), validates the ID tokens it receives,
and gets tokens by client credentials, by authorization code (PKCE, state, nonce), by refresh
token and by device code.

    python3 msal_check.py AUTHORITY_BASE CA_FILE TENANT CLIENT_ID CLIENT_SECRET PUBLIC_CLIENT_ID USER
Prints one JSON line with what it got; exits non-zero on any failure.
"""
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import ssl

import msal

base, ca, tenant, client_id, secret, public_id, user = sys.argv[1:8]
# requests lets these variables override a session's `verify`; the CA given here must win.
for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(var, None)
authority = f"{base}/{tenant}"

app = msal.ConfidentialClientApplication(
    client_id, client_credential=secret, authority=authority, verify=ca, validate_authority=False
)
cc = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
if "access_token" not in cc:
    sys.exit(f"client credentials failed: {cc}")

context = ssl.create_default_context(cafile=ca)

# Authorization code as a web app would run it: MSAL builds the URL; the simulator signs the
# user in (login_hint, auto sign-in) and answers 302 Found to the redirect URI, which is not
# followed: its query is the auth response MSAL checks (state) and redeems (PKCE, nonce).
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

code_flow = app.initiate_auth_code_flow(
    ["Mail.ReadWrite"], redirect_uri="http://localhost:53682/callback", login_hint=user
)
opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
try:
    opener.open(code_flow["auth_uri"])
    sys.exit("authorize did not redirect")
except urllib.error.HTTPError as e:
    if e.code != 302:
        sys.exit(f"authorize answered {e.code}, not 302 Found")
    location = e.headers["Location"]
auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
code = app.acquire_token_by_auth_code_flow(code_flow, auth_response)
if "access_token" not in code:
    sys.exit(f"authorization code failed: {code}")
refreshed = app.acquire_token_by_refresh_token(code["refresh_token"], scopes=["Mail.ReadWrite"])
if "access_token" not in refreshed:
    sys.exit(f"refresh failed: {refreshed}")

public = msal.PublicClientApplication(public_id, authority=authority, verify=ca, validate_authority=False)
flow = public.initiate_device_flow(scopes=["Mail.ReadWrite"])
if "user_code" not in flow:
    sys.exit(f"device flow failed to start: {flow}")

# Play the user: approve the code through the simulator's control API.
def approve():
    body = json.dumps({"user_code": flow["user_code"], "upn": user, "decision": "approve"}).encode()
    req = urllib.request.Request(f"{base}/_sim/device", data=body, headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, context=context).read()
threading.Timer(0.5, approve).start()
flow["interval"] = 1
device = public.acquire_token_by_device_flow(flow)
if "access_token" not in device:
    sys.exit(f"device flow failed: {device}")
claims = device.get("id_token_claims", {})
print(json.dumps({
    "client_credentials": cc.get("token_type"),
    "auth_code": code.get("id_token_claims", {}).get("preferred_username"),
    "refreshed": refreshed.get("token_type"),
    "rotated": refreshed.get("refresh_token") not in (None, code["refresh_token"]),
    "device": device.get("token_type"),
    "preferred_username": claims.get("preferred_username"),
    "tid": claims.get("tid"),
    "refresh_token": "refresh_token" in device,
}))
