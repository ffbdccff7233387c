"""Auto-paging through twilio-python: every record exactly once, whatever the page size.

1,200 EndUsers are created once for the module (the module's server has a fresh
database, so these are all the EndUsers there are). The library follows the
server's absolute ``meta.next_page_url``; these tests count the pages it
fetched through the validating http client's exchange log.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import List, Set

import pytest

TOTAL = 1200

REPRESENTATIVE = {
    "first_name": "Page",
    "last_name": "Tester",
    "email": "pages@acme.example.com",
    "phone_number": "+15555550100",
    "business_title": "Chief Executive",
    "job_position": "CEO",
}


@pytest.fixture(scope="module")
def end_user_sids(client) -> Set[str]:
    def create(i: int) -> str:
        return client.trusthub.v1.end_users.create(
            attributes=REPRESENTATIVE,
            friendly_name=f"representative {i:04d}",
            type="authorized_representative_1",
        ).sid

    with ThreadPoolExecutor(max_workers=16) as pool:
        sids = list(pool.map(create, range(TOTAL)))
    assert len(set(sids)) == TOTAL, "the server handed out duplicate SIDs"
    return set(sids)


def list_pages(http_client) -> List:
    """The EndUsers list exchanges recorded since the test started."""
    return [e for e in http_client.exchanges if e.method == "GET" and e.url.split("?")[0].endswith("/v1/EndUsers")]


def assert_all_exactly_once(listed_sids: List[str], expected: Set[str]) -> None:
    duplicates = len(listed_sids) - len(set(listed_sids))
    assert duplicates == 0, f"{duplicates} records were returned more than once"
    assert set(listed_sids) == expected, (
        f"missing {len(expected - set(listed_sids))}, unexpected {len(set(listed_sids) - expected)}"
    )


def test_list_with_default_page_size_follows_24_pages(client, http_client, end_user_sids, base):
    http_client.exchanges.clear()
    end_users = client.trusthub.v1.end_users.list()
    assert_all_exactly_once([e.sid for e in end_users], end_user_sids)

    pages = list_pages(http_client)
    assert len(pages) == TOTAL // 50, [p.url for p in pages]
    assert "PageSize" not in pages[0].query  # the library sends none: the server default applies
    metas = [p.json()["meta"] for p in pages]
    assert [m["page_size"] for m in metas] == [50] * len(pages)
    assert [len(p.json()["results"]) for p in pages] == [50] * len(pages)
    assert all(m["key"] == "results" for m in metas)
    assert metas[0]["previous_page_url"] is None
    assert metas[-1]["next_page_url"] is None
    for meta, following in zip(metas, pages[1:]):
        # The library must have followed the server's own next_page_url verbatim.
        assert meta["next_page_url"] == following.url
        assert meta["next_page_url"].startswith(f"{base}/v1/EndUsers?")
    assert [m["page"] for m in metas] == list(range(len(pages)))


def test_list_with_page_size_1000(client, http_client, end_user_sids):
    http_client.exchanges.clear()
    end_users = client.trusthub.v1.end_users.list(page_size=1000)
    assert_all_exactly_once([e.sid for e in end_users], end_user_sids)

    pages = list_pages(http_client)
    assert [p.query.get("PageSize") for p in pages[:1]] == ["1000"]
    assert [len(p.json()["results"]) for p in pages] == [1000, 200]
    assert [p.json()["meta"]["page_size"] for p in pages] == [1000, 1000]


def test_list_with_limit_above_the_maximum_page_size(client, http_client, end_user_sids):
    http_client.exchanges.clear()
    end_users = client.trusthub.v1.end_users.list(limit=2500)
    assert_all_exactly_once([e.sid for e in end_users], end_user_sids)

    pages = list_pages(http_client)
    # twilio-python asks for PageSize=2500; the server clamps it to 1000.
    assert int(pages[0].query["PageSize"]) >= 1000
    assert [p.json()["meta"]["page_size"] for p in pages] == [1000, 1000]
    assert [len(p.json()["results"]) for p in pages] == [1000, 200]


def test_stream_yields_every_record_once(client, end_user_sids):
    streamed = [e.sid for e in client.trusthub.v1.end_users.stream()]
    assert_all_exactly_once(streamed, end_user_sids)

    streamed_in_pages_of_7 = [e.sid for e in client.trusthub.v1.end_users.stream(page_size=7)]
    assert_all_exactly_once(streamed_in_pages_of_7, end_user_sids)


def test_limit_below_total_stops_early(client, http_client, end_user_sids):
    http_client.exchanges.clear()
    first = client.trusthub.v1.end_users.list(limit=120, page_size=50)
    assert len(first) == 120
    assert len({e.sid for e in first}) == 120
    assert {e.sid for e in first} <= end_user_sids
    assert len(list_pages(http_client)) == 3
