"""Files: uploads to posts, pages and accounts, content-addressed storage, safe
serving, thumbnails, versions, text extraction for search, the account library."""


def init_app(app) -> None:
    from portal.files import cli, handlers, labels, models, service  # noqa: F401
    from portal.files.storage import storage_from_url
    from portal.files.views import bp

    service.configure(app)
    app.extensions["tacit_files_storage"] = storage_from_url(
        app.config["FILES_STORAGE_URL"], app.config["UPLOAD_DIR"]
    )
    app.register_blueprint(bp)
    app.cli.add_command(cli.files_cli)
    handlers.connect()
    app.jinja_env.globals.update(
        files_enabled=True,
        file_kind_label=labels.kind_label,
        file_size=labels.human_size,
    )
