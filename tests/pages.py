"""Read pages the way the kept-page tests compare them: what is filled in for
each reader (form tokens, the navigation) set apart from what is kept for all
(``portal.fragments``)."""

import re

TOKEN = re.compile(r'(?:name="csrf_token" value|name="csrf-token" content)="([^"]*)"')
NAVIGATION = re.compile(r'<nav class="nav".*?</nav>', re.S)


def page(client, subject, **args) -> str:
    """The HTML of ``subject.url`` (a thread, an account) as ``client`` sees it;
    it must answer 200."""
    response = client.get(subject.url, query_string=args)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def tokens(html: str) -> set[str]:
    """The CSRF tokens the page's forms carry."""
    return set(TOKEN.findall(html))


def without_tokens(html: str) -> str:
    """The page without its tokens (signed with the time: new at every view)."""
    return TOKEN.sub("", html)


def without_reader(html: str) -> str:
    """The page without what is filled in for each reader: tokens and the
    navigation (their name, their unread count)."""
    return NAVIGATION.sub("", without_tokens(html))
