"""An example culturegap API client using only Python's standard library.

Given the site's address and a personal API token, it imports (creates or updates) customers,
records an opportunity for one of them, and reads the Net Promoter Score:

    python docs/api_client_example.py https://culturegap.example.com cg_XXXXXXXX...
    python docs/api_client_example.py http://127.0.0.1:8000 "$TOKEN" --customers clients.json

The token's owner needs the program admin role (to import customers) and one of the CRP,
manager or salesperson roles (to record an opportunity); the NPS is read with any of the
executive, program admin, manager or salesperson roles. ``--customers`` names a JSON file with
a list of customers (``external_id``, ``name``, ``sales_owner_email``, ``services``, ``since``);
without it, two sample customers buying the catalog's first service are imported.
"""

import argparse
import datetime
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    """The API refused a request: ``status``, and its ``detail`` and field ``errors``."""

    def __init__(self, status: int, body: dict):
        self.status = status
        self.detail = body.get("detail", "")
        self.errors = body.get("errors", [])
        lines = [f"{status}: {self.detail}"]
        lines += [f"  {error['field']}: {error['message']}" for error in self.errors]
        super().__init__("\n".join(lines))


class Client:
    def __init__(self, base_url: str, token: str, *, retries: int = 3):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token = token
        self.retries = retries

    def call(self, method: str, path: str, body=None, query: dict | None = None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                payload = error.read().decode("utf-8", "replace")
                if error.code == 429 and attempt < self.retries:
                    # Over the token's rate limit: wait as long as the server says.
                    time.sleep(int(error.headers.get("Retry-After", "1")))
                    continue
                try:
                    parsed = json.loads(payload)
                except ValueError:
                    parsed = {"detail": payload[:200]}
                raise ApiError(error.code, parsed) from None
        raise AssertionError("unreachable")

    def all_pages(self, path: str, **query):
        """Every item of a paginated list, a page of 200 at a time."""
        offset = 0
        while True:
            page = self.call("GET", path, query={**query, "limit": 200, "offset": offset})
            yield from page["items"]
            offset += page["limit"]
            if offset >= page["count"]:
                return


def sample_customers(client: Client) -> list[dict]:
    services = client.call("GET", "/services", query={"limit": 1})["items"]
    codes = [services[0]["code"]] if services else []
    since = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    return [
        {"external_id": "EX-1001", "name": "Example Bakery", "services": codes, "since": since},
        {"external_id": "EX-1002", "name": "Example Garage", "services": codes, "since": since},
    ]


def run(base_url: str, token: str, customers: list[dict] | None = None, out=sys.stdout) -> dict:
    """Import the customers, record an opportunity for the first, read the NPS; returns what
    the API answered to each step."""
    client = Client(base_url, token)
    me = client.call("GET", "/me")
    print(f"Acting as {me['name']} ({', '.join(me['roles'])}) of {me['company']['name']}", file=out)

    customers = customers if customers is not None else sample_customers(client)
    imported = client.call("POST", "/customers/import", {"customers": customers})
    print(
        f"Customers: {imported['created']} created, {imported['updated']} updated, "
        f"{imported['unchanged']} unchanged",
        file=out,
    )

    first = client.call("GET", "/customers", query={"search": customers[0]["external_id"]})
    customer = first["items"][0]
    opportunity = client.call(
        "POST",
        "/opportunities",
        {
            "customer_id": customer["id"],
            "need": "Asked whether we also handle payroll.",
            "channel": "phone",
            "urgency": "normal",
        },
    )
    owner = "its sales owner" if opportunity["owner_id"] else "the sales queue"
    print(f"Opportunity {opportunity['id']} for {customer['name']} went to {owner}", file=out)

    nps = client.call("GET", "/loyalty/nps")
    score = "no answers yet" if nps["nps"] is None else f"{nps['nps']:.1f}"
    print(f"NPS {nps['since']} to {nps['until']}: {score} ({nps['responses']} answers)", file=out)
    return {"imported": imported, "opportunity": opportunity, "nps": nps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the site's address, e.g. https://culturegap.example.com")
    parser.add_argument("token", help="a personal API token (created under API tokens)")
    parser.add_argument("--customers", help="a JSON file with a list of customers to import")
    args = parser.parse_args(argv)
    customers = None
    if args.customers:
        with open(args.customers, encoding="utf-8") as file:
            customers = json.load(file)
    try:
        run(args.base_url, args.token, customers)
    except ApiError as error:
        print(f"The API refused: {error}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"Cannot reach {args.base_url}: {error.reason}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
