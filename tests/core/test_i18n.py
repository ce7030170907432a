"""Every string has a Chinese translation, and readers get their language."""

import pytest

from portal import i18n


@pytest.mark.parametrize("package", [None, *i18n.packages()], ids=lambda p: p or "core")
def test_every_string_has_a_chinese_translation(package):
    missing = i18n.missing(package, "zh")
    assert missing == [], (
        f"{package or 'core'} lacks Chinese for {missing[:10]}; run "
        "`flask --app portal i18n update` and translate the new entries"
    )


def test_the_check_notices_an_untranslated_string(tmp_path, monkeypatch):
    template_dir = tmp_path / "templates"
    (template_dir / "errors").mkdir(parents=True)
    (template_dir / "page.html").write_text('{{ _("A string nobody translated") }}')
    monkeypatch.setattr(i18n, "TEMPLATES", template_dir)
    monkeypatch.setattr(i18n, "PORTAL", tmp_path)
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    assert i18n.missing(None, "zh") == ["A string nobody translated"]


def test_browser_language_picks_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "登录 Tacit" in page.get_data(as_text=True)


def test_browser_language_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in to Tacit" in page.get_data(as_text=True)


def test_user_setting_beats_the_browser(make, login):
    user = make.user("xiaoming", locale="zh")
    page = login(user).get("/", headers={"Accept-Language": "en"})
    assert "欢迎" in page.get_data(as_text=True)


def test_templates_follow_a_forced_language_within_a_request(app):
    # Templates remember the request's translations (portal.i18n.translations);
    # switching the language for an e-mail must still switch them, and back.
    from flask import render_template_string
    from flask_babel import force_locale

    sign_in = '{{ _("Sign in") }}'
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string(sign_in) == "Sign in"
        with force_locale("zh"):
            assert render_template_string(sign_in) == "登录"
        assert render_template_string(sign_in) == "Sign in"
