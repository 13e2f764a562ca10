"""Microsoft's own client library against the simulator: MSAL Python discovers the tenant over
HTTPS (trusting the simulator's CA only through `verify`), validates the ID token it receives,
and gets tokens by client credentials and by device code.

    python3 msal_check.py AUTHORITY_BASE CA_FILE TENANT CLIENT_ID CLIENT_SECRET PUBLIC_CLIENT_ID USER
Prints one JSON line with what it got; exits non-zero on any failure.
"""
import json
import os
import sys
import threading
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

public = msal.PublicClientApplication(public_id, authority=authority, verify=ca, validate_authority=False)
flow = public.initiate_device_flow(scopes=["Mail.ReadWrite"])
if "user_code" not in flow:
    sys.exit(f"device flow failed to start: {flow}")

# Play the user: approve the code through the simulator's control API.
context = ssl.create_default_context(cafile=ca)
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
    "device": device.get("token_type"),
    "preferred_username": claims.get("preferred_username"),
    "tid": claims.get("tid"),
    "refresh_token": "refresh_token" in device,
}))
