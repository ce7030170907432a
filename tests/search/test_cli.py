"""``flask search rebuild`` and ``flask search check``."""

from portal.search import backend
from tests.forums.factories import make_thread


def test_rebuild_and_check(app, runner, forum, employee):
    make_thread(forum, employee, "One thread")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents" in result.output  # the thread and the person
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0
    assert "The index matches the database." in result.output


def test_check_reports_missing_and_extra(app, runner, forum, employee, index):
    thread = make_thread(forum, employee, "One thread")
    with backend.writer(index) as w:
        w.delete_by_term("key", f"thread:{thread.id}")
        w.add_document(
            key="thread:999", kind="thread", doc_id=999, title="ghost", url="/x"
        )
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"thread: 1 missing ({thread.id}), 1 extra (999)" in result.output


def test_check_without_index(app, runner):
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert "missing" in result.output and "search rebuild" in result.output
