"""The kinds of document in the index: one module each, listed in ``KINDS``.

A kind module gives:

- ``KIND``: its name in the index and in URLs (``"thread"``), at most 20 letters;
- ``LABEL``: a lazily translated name for the filters (``_l("Threads")``);
- ``load(ids) -> dict[int, dict | None]``: the documents for these ids, read
  with ``db.session``; ``None`` (or a missing id) means "not in the index"
  (deleted, departed, gone). A document is a dict with ``title``, ``body``
  (plain text), ``url``, ``date`` (aware datetime) and optionally ``spell``
  (extra words for "did you mean"), ``scope`` (``"all"``, or ``"forum:<id>"``
  when only a forum's readers may see it), ``accounts``, ``tags`` (slugs) and
  ``authors`` (lists of ids or slugs), ``flags`` (list of str: ``"resolved"``,
  ``"archived"``), ``rank`` (relevance multiplier, 1.0 by default) and
  ``meta`` (a small dict the results template shows);
- ``all_ids() -> Iterable[int]``: every id that belongs in the index (rebuild
  and ``search check``);
- ``DIRTY``: a list of ``(signal, fn)``: when ``signal`` fires, ``fn(sender,
  **kwargs)`` returns the ids of this kind whose document changed (or None).
  Search marks them in the outbox in the same transaction; they are re-read
  and re-indexed after commit.
- optionally ``hidden_scopes(viewer) -> list[str]``: the scopes ``viewer``
  may not see (the thread kind answers ``forum:<id>`` for every forum the
  viewer may not read). Search leaves documents in those scopes out.

Adding a kind (the files package's attachments, say) is one new module here
and one line in ``KINDS``.
"""

from portal.search.kinds import account, file, page, person, thread

KINDS = [thread, page, person, account, file]


def by_name() -> dict:
    return {module.KIND: module for module in KINDS}


def plain_text(html) -> str:
    """Return the text of sanitized HTML, for the index (tags gone, entities read)."""
    from markupsafe import Markup

    # Stored HTML was sanitized when it was written (markup.render).
    return Markup(html).striptags() if html else ""  # noqa: S704
