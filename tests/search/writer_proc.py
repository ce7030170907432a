"""One writer process for the concurrent-indexing test (run as a module).

Arguments: database URL, instance folder, forum id, user id, title prefix,
number of threads. Each thread is its own transaction, indexed after commit.
"""

import sys


def main(database_url, instance, forum_id, user_id, prefix, count) -> None:
    from portal import create_app
    from portal.auth.models import User
    from portal.extensions import db
    from portal.forums import service
    from portal.forums.models import Forum

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "SEARCH_ASYNC": False,
        }
    )
    with app.app_context():
        forum = db.session.get(Forum, int(forum_id))
        user = db.session.get(User, int(user_id))
        for n in range(int(count)):
            service.create_thread(forum, user, f"{prefix} topic {n}", f"{prefix} body")
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:])
