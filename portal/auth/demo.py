"""Demo departments and people, in every role, with Chinese and English names."""

import sqlalchemy as sa

from portal.auth import service
from portal.auth.models import Department, User

PASSWORD = "tacit-demo"  # noqa: S105 - the documented demo password

DEPARTMENTS = [
    ("Customer Service", "客户服务：热线与在线支持"),
    ("Key Accounts", "大客户部：战略客户的关系经营"),
    ("Sales", "销售部"),
    ("Technical Support", "技术支持：实施与故障处理"),
    ("Human Resources", "人力资源部"),
]

# username, display name, role, department index, job title
PEOPLE = [
    ("admin", "Admin", "admin", 4, "Portal administrator"),
    ("hr1", "陈静 Chen Jing", "hr", 4, "HR business partner"),
    ("hr2", "Maria Keller", "hr", 4, "HR manager"),
    ("mod1", "王磊 Wang Lei", "moderator", 0, "Service team lead"),
    ("mod2", "Sarah Olsen", "moderator", 3, "Support lead"),
    ("alice", "Alice Martin", "employee", 1, "Key account manager"),
    ("bob", "Bob Chen", "employee", 2, "Sales representative"),
    ("liwei", "李伟 Li Wei", "employee", 1, "Key account manager"),
    ("zhangmin", "张敏 Zhang Min", "employee", 0, "Service agent"),
    ("liuyang", "刘洋 Liu Yang", "employee", 3, "Implementation engineer"),
    ("zhaoli", "赵丽 Zhao Li", "employee", 0, "Service agent"),
    ("sunhao", "孙浩 Sun Hao", "employee", 2, "Sales manager"),
    ("zhouqian", "周倩 Zhou Qian", "employee", 3, "Support engineer"),
    ("wujun", "吴军 Wu Jun", "employee", 1, "Account director"),
    ("xuyan", "徐燕 Xu Yan", "employee", 0, "Quality analyst"),
    ("dkim", "Daniel Kim", "employee", 3, "Support engineer"),
    ("epatel", "Emma Patel", "employee", 2, "Sales representative"),
    ("jnovak", "Jan Novak", "employee", 1, "Key account manager"),
    ("lgarcia", "Lucia Garcia", "employee", 0, "Service agent"),
    ("mtanaka", "Mika Tanaka", "employee", 3, "Implementation engineer"),
    ("hejie", "何杰 He Jie", "employee", 2, "Pre-sales consultant"),
    ("gaofei", "高飞 Gao Fei", "employee", 3, "Support engineer"),
    ("linna", "林娜 Lin Na", "employee", 0, "Service agent"),
    ("tomr", "Tom Reyes", "employee", 1, "Key account manager"),
    ("oldhand", "郑老师 Zheng Lao", "employee", 1, "Former account director"),
]


def seed(rng) -> str:
    depts = []
    for name, description in DEPARTMENTS:
        dept = _department(name) or service.create_department(name, description)
        depts.append(dept)
    created = 0
    for username, display_name, role, dept_index, job_title in PEOPLE:
        if _user(username) is not None:
            continue
        user = service.create_user(
            username,
            PASSWORD,
            display_name=display_name,
            email=f"{username}@example.com",
            role=role,
            department=depts[dept_index],
            job_title=job_title,
            locale="zh"
            if any("\u4e00" <= ch <= "\u9fff" for ch in display_name)
            else None,
        )
        created += 1
        if username == "oldhand":
            service.deactivate(user, departed=True)
    return f"{created} users created ({len(PEOPLE)} in the demo)"


def _department(name):
    from portal.extensions import db

    return db.session.scalar(sa.select(Department).where(Department.name == name))


def _user(username):
    from portal.extensions import db

    return db.session.scalar(sa.select(User).where(User.username == username))
