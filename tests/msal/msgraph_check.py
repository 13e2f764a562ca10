"""Microsoft's Graph SDK for Python (msgraph-sdk, on azure-identity and Kiota) against the
simulator, as an app-only helpdesk integration uses it: a client-secret credential from the
simulated identity platform, then a mailbox's folders and messages, and Graph's error envelope
parsed into the SDK's ODataError. Only configuration is given (authority, CA, base URL, allowed
host); nothing of the SDK is patched.

    python3 msgraph_check.py AUTHORITY_BASE GRAPH_BASE CA_FILE TENANT CLIENT_ID CLIENT_SECRET MAILBOX
Prints one JSON line with what it got; exits non-zero on any failure.
"""
import asyncio
import json
import sys
from urllib.parse import urlsplit

import httpx
from azure.identity import ClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory

base, graph, ca, tenant, client_id, secret, mailbox = sys.argv[1:8]

credential = ClientSecretCredential(
    tenant,
    client_id,
    secret,
    authority=urlsplit(base).netloc,
    disable_instance_discovery=True,
    connection_verify=ca,
)
auth = AzureIdentityAuthenticationProvider(
    credential,
    scopes=["https://graph.microsoft.com/.default"],
    allowed_hosts=[urlsplit(graph).hostname],
)


async def main():
    http = GraphClientFactory.create_with_default_middleware(client=httpx.AsyncClient(verify=ca))
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = f"{graph}/v1.0"
    client = GraphServiceClient(request_adapter=adapter)
    user = client.users.by_user_id(mailbox)
    folders = await user.mail_folders.get()
    inbox = await user.mail_folders.by_mail_folder_id("inbox").messages.get()
    try:
        await client.users.by_user_id("nobody@" + mailbox.split("@")[1]).mail_folders.get()
        sys.exit("a mailbox that does not exist was answered")
    except ODataError as e:
        error = {"status": e.response_status_code, "code": e.error.code if e.error else None}
    print(json.dumps({
        "folders": sorted(f.display_name for f in folders.value),
        "subjects": [m.subject for m in inbox.value],
        "error": error,
    }))


asyncio.run(main())
